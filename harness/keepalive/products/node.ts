/**
 * Node.js's http module. The server keeps an idle connection server.keepAliveTimeout (5000 ms
 * since Node 8) and says so in Keep-Alive: timeout=5; it closes it silently. The global agent
 * changed in Node 19: before, keepAlive false (no connection reused); since, keepAlive true with
 * timeout 5000, and an agent with a timeout honours a Keep-Alive hint (retired at N s - 1 s).
 * Node sends nothing again itself; its docs advise retrying idempotent requests on ECONNRESET.
 */
import { millis, type Preset } from './types.ts';

export const NODE_KEEP_ALIVE_TIMEOUT_MS = 5000;

const major = (version: string | undefined) => Number.parseInt(version ?? '20', 10);

export const node: Preset = {
  name: 'node',
  title: 'Node.js http (server and global agent)',
  versions: ['20', '18', '22'],
  sources: [
    { title: 'Node.js http: server.keepAliveTimeout', url: 'https://nodejs.org/api/http.html#serverkeepalivetimeout' },
    { title: 'Node.js http: new Agent([options]) and http.globalAgent (keep-alive with a 5 s timeout since v19)', url: 'https://nodejs.org/api/http.html#new-agentoptions' },
    { title: 'Node.js http: agent keep-alive and ECONNRESET, retry idempotent requests', url: 'https://nodejs.org/api/http.html#requestreusedsocket' },
  ],
  settings: ['server.keepAliveTimeout', 'server.headersTimeout', 'timeout', 'keepAlive'],
  client: (version) => {
    const keepAlive = major(version) >= 19;
    return {
      idleMs: keepAlive ? 5000 : 0,
      idleFrom: keepAlive
        ? 'Node 19+ http.globalAgent: keepAlive true, timeout 5000 ms'
        : 'Node 18 and earlier http.globalAgent: keepAlive false, so no connection is reused',
      knob: millis('timeout', 'the http.Agent options', (value) => `new http.Agent({ keepAlive: true, timeout: ${value} })`),
      honoursHint: keepAlive,
      hintFrom: keepAlive ? 'an http.Agent with a timeout retires a connection at N s - 1 s on Keep-Alive: timeout=N' : 'no connection is reused',
      retries: { get: false, post: false, why: 'Node sends nothing again; its docs leave retrying idempotent requests to the caller' },
    };
  },
  server: () => ({
    keepAliveMs: NODE_KEEP_ALIVE_TIMEOUT_MS,
    keepAliveFrom: "Node's http.Server default keepAliveTimeout",
    knob: millis('server.keepAliveTimeout', 'the code that creates the server', (value) => `server.keepAliveTimeout = ${value}`),
    advertisesHint: true,
    hintFrom: "Node's http.Server sends Keep-Alive: timeout=N with N its keepAliveTimeout in whole seconds",
    closes: 'silently',
  }),
};
