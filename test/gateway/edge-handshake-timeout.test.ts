/**
 * The Edge document's 502, straight through createGateway: a TLS target that swallows the Client
 * Hello, a 300 ms io.timeout.millis, and the answer, header and system.log line the document shows,
 * field for field, with age and lastIO measured rather than configured. The answer's time is judged
 * where it is decided (the gateway's handshake timer), so a busy machine cannot flip it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Failure } from '../../harness/gateway/failures.ts';
import { judgeTiming } from '../../harness/runner/timing-verdict.ts';
import { collectLines, listenersOf, request, startBackend, startGateway, tempDir } from '../helpers.ts';

/** The document's error message, exactly. */
const BAD_GATEWAY = '{"fault":{"faultstring":"Bad Gateway","detail":{"errorcode":"messaging.adaptors.http.flow.BadGateway"}}}';

/**
 * The document's system.log line with its placeholders as groups: `org:xxx env:xxx api:xxx rev:x
 * messageid:<MESSAGE_ID> NIOThread@1 ERROR HTTP.CLIENT - HTTPClient$Context.handshakeTimeout() :
 * SSLClientChannel[Connected: Remote:X.X.X.X:443 Local:X.X.X.X]@739028 useCount=1 bytesRead=0
 * bytesWritten=0 age=55221ms lastIO=55221ms isOpen=true handshake timeout`.
 */
const HANDSHAKE_TIMEOUT_LINE =
  /^org:(?<org>\S+) env:(?<env>\S+) api:(?<api>\S+) rev:(?<rev>\S+) messageid:(?<messageId>\S+) NIOThread@(?<thread>\d+) ERROR HTTP\.CLIENT - HTTPClient\$Context\.handshakeTimeout\(\) : SSLClientChannel\[Connected: Remote:(?<remote>[\d.]+:\d+) Local:(?<local>[\d.]+:\d+)\]@(?<channel>\d+) useCount=(?<useCount>\d+) bytesRead=(?<bytesRead>\d+) bytesWritten=(?<bytesWritten>\d+) age=(?<age>\d+)ms lastIO=(?<lastIO>\d+)ms isOpen=(?<isOpen>true|false) handshake timeout$/;

const LIMIT_MS = 300;
/** How late the gateway's timer may fire on a busy machine (the scenario's answeredAt tolerance). */
const TIMER_TOLERANCE_MS = 250;

describe('edge × swallow-client-hello (the TLS handshake timeout)', () => {
  it('answers 502 Bad Gateway when its io.timeout.millis timer fires, with a message id and the handshakeTimeout line', async () => {
    const dir = tempDir();
    // One request through an edge gateway to a healthy target first: the window is about the
    // gateway's limit, not about this process loading and compiling its HTTP code on first use.
    const healthy = await startBackend('healthy');
    const warm = await startGateway({ personality: 'edge', target: healthy.url, settings: { 'logging.dir': dir } });
    expect((await request(`${warm.url}/`)).status).toBe(200);

    const backend = await startBackend('swallow-client-hello');
    const gateway = await startGateway({
      personality: 'edge',
      target: backend.url,
      // The debug header hands each client its request's message id, to find its line by.
      settings: { 'io.timeout.millis': LIMIT_MS, 'logging.dir': dir, org: 'acme', env: 'prod', api: 'orders', rev: 7, 'debug.message.id.header': true },
    });
    const lines = collectLines(gateway);
    const failures: Failure[] = [];
    gateway.on('failure', (failure) => failures.push(failure));

    // Three requests at once: three connections, three handshakes abandoned, three message ids.
    const replies = await Promise.all([1, 2, 3].map(() => request(`${gateway.url}/orders`)));

    const peers = backend.events.filter((event) => event.kind === 'accepted').map((event) => event.detail);
    expect(peers).toHaveLength(3);
    expect(backend.events.filter((event) => event.kind === 'received' && event.detail === 'TLS Client Hello')).toHaveLength(3);
    expect(lines).toHaveLength(3);
    expect(failures.map((failure) => [failure.kind, failure.limit?.name, failure.limit?.ms])).toEqual(Array(3).fill(['handshake-timeout', 'handshake', LIMIT_MS]));
    const messageIds = replies.map((reply) => String(reply.headers['x-apigee.message-id']));
    expect(new Set(messageIds).size).toBe(3);

    for (const reply of replies) {
      expect(reply.status).toBe(502);
      expect(reply.body).toBe(BAD_GATEWAY);
      expect(reply.headers['content-type']).toBe('application/json');

      const messageId = String(reply.headers['x-apigee.message-id']);
      const line = lines.find((each) => each.includes(` messageid:${messageId} `));
      const fields = HANDSHAKE_TIMEOUT_LINE.exec(line ?? '')?.groups;
      expect(fields, line).toBeDefined();
      if (!fields) continue;
      expect(fields.org).toBe('acme');
      expect(fields.env).toBe('prod');
      expect(fields.api).toBe('orders');
      expect(fields.rev).toBe('7');
      expect(fields.messageId).toBe(messageId);
      expect(fields.thread).toMatch(/^\d+$/);
      expect(fields.remote).toBe(`127.0.0.1:${backend.port}`);
      // Local is the gateway's end of the connection, as the backend saw it from the other side.
      expect(peers).toContain(fields.local);
      expect(fields.channel).toMatch(/^\d+$/);
      expect(fields.useCount).toBe('1');
      expect(fields.bytesRead).toBe('0');
      expect(fields.bytesWritten).toBe('0');
      expect(fields.isOpen).toBe('true');
      // Judged where it is decided: this connection's handshake timer, then the client's wait around it.
      const failure = failures.find((each) => each.connection?.local === fields.local);
      expect(judgeTiming({ setting: 'io.timeout.millis', toleranceMs: TIMER_TOLERANCE_MS }, LIMIT_MS, { clientElapsedMs: reply.elapsedMs, failure })).toEqual([]);
      // age: from the TCP connect to the limit expiring, so at least the limit, and within the
      // client's own measurement of the same wait; lastIO: from the Client Hello, a moment later,
      // so it is the handshake timer's own run, within its tolerance.
      const age = Number(fields.age);
      const lastIO = Number(fields.lastIO);
      expect(age).toBeGreaterThanOrEqual(LIMIT_MS);
      expect(age).toBeLessThanOrEqual(Math.ceil(reply.elapsedMs));
      expect(lastIO).toBeGreaterThanOrEqual(LIMIT_MS - 1);
      expect(lastIO).toBeLessThanOrEqual(Math.min(age, LIMIT_MS + TIMER_TOLERANCE_MS));
    }

    await gateway.close();
    expect(gateway.logFile).toBe(join(dir, 'system.log'));
    const written = readFileSync(gateway.logFile, 'utf8');
    expect(written.endsWith('\n')).toBe(true);
    expect(written.trimEnd().split('\n').sort()).toEqual([...lines].sort());
    expect(await listenersOf(gateway.port)).not.toContain(process.pid);
  });
});
