/**
 * idle-closer, seen from a raw socket: it answers and keeps the connection, then closes it (a FIN)
 * once it has sat idle for idleTimeoutMs, silently by default or after announcing
 * Keep-Alive: timeout=N; and healthy, the control, which answers at once and keeps the connection.
 * The close is judged where it is decided: the backend's own idle timer, from its record of its
 * last response to its record of the close, must have run idleTimeoutMs and at most TIMER_TOLERANCE_MS
 * more (what a busy machine adds to a timer); the FIN reaches the client no sooner, and within the
 * client's slack after. So it runs beside other files.
 */
import { describe, expect, it } from 'vitest';
import { CLIENT_SLACK_MS } from '../../harness/runner/timing-verdict.ts';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { quietFor, rawConnect, startBackend, type RawClient } from '../helpers.ts';

const GET = 'GET / HTTP/1.1\r\nHost: backend\r\n\r\n';
const IDLE_MS = 300;
/** How late a timer may fire on a busy machine: the gateway's timers are held to the same. */
const TIMER_TOLERANCE_MS = 250;

/** The backend's idle timer ran its course (its own clock), and the client saw the FIN no sooner, within its slack. */
function expectIdleClose(backend: RunningBackend, finAt: number): void {
  const idleFrom = backend.events.find((event) => event.kind === 'responded')?.at ?? Number.NaN;
  const closedAt = backend.events.find((event) => event.kind === 'idle-close')?.at ?? Number.NaN;
  expect(closedAt - idleFrom).toBeGreaterThanOrEqual(IDLE_MS - 1);
  expect(closedAt - idleFrom).toBeLessThanOrEqual(IDLE_MS + TIMER_TOLERANCE_MS);
  expect(finAt - idleFrom).toBeGreaterThanOrEqual(IDLE_MS - 1);
  expect(finAt - idleFrom).toBeLessThanOrEqual(IDLE_MS + TIMER_TOLERANCE_MS + CLIENT_SLACK_MS);
}

/**
 * Sends one request and resolves with the response head once the whole response (its
 * Content-Length) has arrived; `from` is how many bytes earlier responses took.
 */
async function exchange(client: RawClient, from = 0): Promise<{ head: string }> {
  client.socket.write(GET);
  for (let wanted = from + 1; ; ) {
    const text = (await client.receivedAtLeast(wanted)).subarray(from).toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end !== -1) {
      const head = text.slice(0, end);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (text.length >= end + 4 + length) return { head };
    }
    wanted = from + text.length + 1;
  }
}

describe('idle-closer', () => {
  it('closes a connection idle for idleTimeoutMs with a FIN and no Keep-Alive hint (its timer between the limit and +250 ms)', async () => {
    const backend = await startBackend('idle-closer', { idleTimeoutMs: IDLE_MS });
    const client = await rawConnect(backend.port);
    const response = await exchange(client);
    expect(response.head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(response.head).toMatch(/\r\nConnection: keep-alive(\r\n|$)/i);
    expect(response.head).not.toMatch(/\r\nKeep-Alive:/i);
    expectIdleClose(backend, await client.ended);
    expect(backend.events.find((event) => event.kind === 'idle-close')?.detail).toBe(`idle ${IDLE_MS} ms`);
  });

  it('with advertiseKeepAliveHint: announces Keep-Alive: timeout=N, N the idle timeout in whole seconds', async () => {
    const backend = await startBackend('idle-closer', { idleTimeoutMs: 2500, advertiseKeepAliveHint: true });
    const client = await rawConnect(backend.port);
    const response = await exchange(client);
    expect(response.head).toMatch(/\r\nKeep-Alive: timeout=2(\r\n|$)/i);
  });

  it('with hintSeconds: announces that N, and still closes at idleTimeoutMs', async () => {
    const backend = await startBackend('idle-closer', { idleTimeoutMs: IDLE_MS, advertiseKeepAliveHint: true, hintSeconds: 5 });
    const client = await rawConnect(backend.port);
    const response = await exchange(client);
    expect(response.head).toMatch(/\r\nKeep-Alive: timeout=5(\r\n|$)/i);
    expectIdleClose(backend, await client.ended);
  });

  it('does not count a connection as idle before its first request', async () => {
    const backend = await startBackend('idle-closer', { idleTimeoutMs: IDLE_MS });
    const client = await rawConnect(backend.port);
    expect(await Promise.race([client.ended.then(() => 'FIN'), quietFor(IDLE_MS + 100, 'open')])).toBe('open');
    const response = await exchange(client);
    expect(response.head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});

describe('healthy', () => {
  it('answers 200 with its JSON body at once and keeps the connection for the next request', async () => {
    const backend = await startBackend('healthy');
    const client = await rawConnect(backend.port);
    const first = await exchange(client);
    expect(first.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first.head).toMatch(/\r\nContent-Type: application\/json\r\n/i);
    expect(client.received().toString().endsWith('\r\n\r\n{"ok":true}')).toBe(true);
    const second = await exchange(client, client.received().length);
    expect(second.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(backend.events.filter((event) => event.kind === 'accepted')).toHaveLength(1);
    expect(backend.events.filter((event) => event.kind === 'responded')).toHaveLength(2);
  });

  it('answers with the status and body it is given', async () => {
    const backend = await startBackend('healthy', { status: 503, body: 'down' });
    const client = await rawConnect(backend.port);
    const response = await exchange(client);
    expect(response.head.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(client.received().toString().endsWith('\r\n\r\ndown')).toBe(true);
  });

  it('with delayMs: the same answer, no sooner than delayMs after the request (a slow backend)', async () => {
    const backend = await startBackend('healthy', { delayMs: 200 });
    const client = await rawConnect(backend.port);
    const sent = performance.now();
    const response = await exchange(client);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(199);
    expect(response.head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});
