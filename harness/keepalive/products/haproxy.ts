/**
 * HAProxy. Client side: timeout http-keep-alive, which falls back to timeout http-request and then
 * timeout client; HAProxy has no default, so the preset takes the timeout client 50000 of the
 * haproxy.cfg Debian ships. Server side: idle server connections are kept for reuse (http-reuse
 * safe by default since 2.0: never for a client connection's first request) and purged every
 * pool-purge-delay, 5 s by default. The default retry-on connect-failure sends nothing again once
 * it was sent.
 */
import { millis, type Preset } from './types.ts';

const manual = 'https://docs.haproxy.org/2.6/configuration.html';

export const haproxy: Preset = {
  name: 'haproxy',
  title: 'HAProxy',
  sources: [
    { title: 'HAProxy configuration manual: timeout http-keep-alive, http-reuse, pool-purge-delay, retry-on', url: manual },
    { title: "Debian's haproxy.cfg: timeout client 50000", url: 'https://salsa.debian.org/haproxy-team/haproxy/-/blob/master/debian/haproxy.cfg' },
  ],
  settings: ['timeout http-keep-alive', 'timeout http-request', 'timeout client', 'pool-purge-delay', 'http-reuse', 'retry-on', 'retries'],
  client: () => ({
    idleMs: 5000,
    idleFrom: 'HAProxy pool-purge-delay, 5s by default: idle server connections are purged each delay',
    knob: millis('pool-purge-delay', 'the server or default-server line', (value) => `default-server pool-purge-delay ${value}ms`),
    honoursHint: false,
    hintFrom: 'HAProxy documents no use of a Keep-Alive hint from servers',
    retries: {
      get: false,
      post: false,
      why: 'retry-on defaults to connect-failure: a request already sent on a connection the server closed is not sent again',
      setting: 'retry-on',
    },
  }),
  server: () => ({
    keepAliveMs: 50_000,
    keepAliveFrom: "HAProxy timeout http-keep-alive falls back to timeout http-request, then timeout client: 50000 in the haproxy.cfg Debian ships",
    knob: millis('timeout http-keep-alive', 'the defaults or frontend section', (value) => `timeout http-keep-alive ${value}ms`),
    advertisesHint: false,
    hintFrom: 'HAProxy sends no Keep-Alive header of its own',
    closes: 'silently',
  }),
};
