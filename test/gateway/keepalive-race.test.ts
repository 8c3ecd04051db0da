/**
 * The keep-alive race of the Microgateway document, made certain: idle-closer closes an idle
 * connection, the FIN-delay relay holds that FIN back, and the second request goes out on the
 * pooled connection once the relay says the FIN is held, so it crosses the FIN in flight as in the
 * document's capture. Microgateway answers the document's 502; Edge, whose keep-alive (60 s)
 * outlives the target's, answers Unexpected EOF at target; an idle limit below the target's avoids
 * the race.
 */
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Failure } from '../../harness/gateway/failures.ts';
import { startFinDelayRelay } from '../../harness/relay/fin-delay-relay.ts';
import type { GatewayOptions } from '../../harness/gateway/gateway.ts';
import { collectLines, request, startBackend, startGateway, tempDir } from '../helpers.ts';
import { DOCUMENT_HOST, DOCUMENT_PATH, SOCKET_HANG_UP, expectDocumentLines } from './microgateway-document.ts';

/** Two requests through the gateway and the relay, the second sent once the target's FIN is held. */
async function race(personality: GatewayOptions['personality'], settings: Record<string, unknown>) {
  const backend = await startBackend('idle-closer', { idleTimeoutMs: 100 });
  // Held for up to 10 s: the relay lets it go as soon as the gateway writes into the connection.
  const relay = await startFinDelayRelay({ target: { host: '127.0.0.1', port: backend.port }, holdFinMs: 10_000 });
  onTestFinished(() => relay.close());
  const gateway = await startGateway({ personality, target: relay.url, settings });
  const lines = collectLines(gateway);
  const failures: Failure[] = [];
  gateway.on('failure', (failure) => failures.push(failure));

  const finHeld = once(relay, 'fin-held');
  const first = await request(`${gateway.url}${DOCUMENT_PATH}`, { headers: { host: DOCUMENT_HOST } });
  await finHeld;
  const before = Date.now();
  const second = await request(`${gateway.url}${DOCUMENT_PATH}`, { headers: { host: DOCUMENT_HOST } });
  return { backend, first, second, lines, failures, writtenBetween: [before, Date.now()] as [number, number], targetHost: `127.0.0.1:${relay.port}` };
}

describe('idle-closer behind the FIN-delay relay: a pooled connection reused as the target closes it', () => {
  it('microgateway: 502 socket hang up on the reused connection, with the two lines of the document', async () => {
    const run = await race('microgateway', { edgemicro: { logging: { dir: tempDir() } } });
    expect(run.first.status).toBe(200);
    expect(run.second.status).toBe(502);
    expect(run.second.body).toBe(SOCKET_HANG_UP);
    expect(run.failures.map((failure) => [failure.kind, failure.reusedConnection])).toEqual([['premature-close', true]]);
    expectDocumentLines(run.lines, { targetHost: run.targetHost, writtenBetween: run.writtenBetween });
    // One connection: the second request never reached the backend.
    expect(run.backend.events.filter((event) => event.kind === 'accepted')).toHaveLength(1);
  });

  it('edge: 502 Unexpected EOF at target on the reused connection', async () => {
    const run = await race('edge', { 'logging.dir': tempDir() });
    expect(run.first.status).toBe(200);
    expect(run.second.status).toBe(502);
    expect(run.second.body).toBe('{"fault":{"faultstring":"Unexpected EOF at target","detail":{"errorcode":"messaging.adaptors.http.UnexpectedEOFAtTarget"}}}');
    expect(run.failures.map((failure) => [failure.kind, failure.reusedConnection])).toEqual([['premature-close', true]]);
  });

  it('microgateway with target_idle_timeout below the target idle timeout: 200, on a new connection', async () => {
    const run = await race('microgateway', { edgemicro: { logging: { dir: tempDir() } }, target_idle_timeout: 50 });
    expect(run.first.status).toBe(200);
    expect(run.second.status).toBe(200);
    expect(run.failures).toEqual([]);
    expect(run.lines).toEqual([]);
    expect(run.backend.events.filter((event) => event.kind === 'accepted')).toHaveLength(2);
  });
});
