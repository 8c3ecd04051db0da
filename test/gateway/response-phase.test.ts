/**
 * Failures once the target's response has begun. Edge: the I/O limit ends a response that stalls
 * part-way (the client's connection is cut at the limit, no later); a body that overruns its
 * Content-Length goes on as framed. Microgateway, as microgateway-core does: a stalled or cut body
 * leaves the client waiting, with the `targetResponse error` line; bytes past the Content-Length
 * give a 502 with the parser's error, and the engine's death (exit 1, write after end) is
 * reported as evidence while the harness keeps serving, every time.
 */
import { describe, expect, test } from 'vitest';
import type { Failure } from '../../harness/gateway/failures.ts';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import type { FailureOutcome } from '../../harness/gateway/personality.ts';
import { collectLines, exchange, startBackend, startGateway, tempDir } from '../helpers.ts';

function outcomes(gateway: Awaited<ReturnType<typeof startGateway>>) {
  const seen: { failure: Failure; outcome: FailureOutcome }[] = [];
  gateway.on('failure', (failure, _answer, _tag, outcome) => seen.push({ failure, outcome }));
  return seen;
}

describe.concurrent('the response phase', () => {
  test('edge, io.timeout.millis 1000, a body that stalls after 16 bytes: the limit cuts the client at 1 s', async () => {
    const backend = await startBackend('stall-mid-body');
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'io.timeout.millis': 1000, 'logging.dir': tempDir() } });
    const seen = outcomes(gateway);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 200, bodyBytes: 16, end: 'cut' });
    expect(view.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(view.elapsedMs).toBeLessThanOrEqual(2500);
    expect(seen.map(({ failure, outcome }) => [failure.kind, failure.phase, failure.limit?.ms, outcome.client])).toEqual([['io-timeout', 'receiving-body', 1000, 'cut']]);
  });

  test('edge, a response head and no body byte before the silence: 504 GatewayTimeout at the limit', async () => {
    const backend = await startBackend('stall-mid-body', { sentBytes: 0 });
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'io.timeout.millis': 500, 'logging.dir': tempDir() } });
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 504, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring: 'Gateway Timeout', detail: { errorcode: 'messaging.adaptors.http.flow.GatewayTimeout' } } });
  });

  test('edge, more body than Content-Length: the 16 bytes it declared, completed', async () => {
    const backend = await startBackend('overlong-body');
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir() } });
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 200, bodyBytes: 16, end: 'completed' });
  });

  test('microgateway, more body than Content-Length, 3 of 3: 502 with HPE_INVALID_CONSTANT, the engine exit as evidence, the gateway still serving', async () => {
    const backend = await startBackend('overlong-body');
    const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings: { edgemicro: { logging: { dir: tempDir() } } } });
    const seen = outcomes(gateway);
    const lines = collectLines(gateway);
    for (let run = 1; run <= 3; run++) {
      const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
      expect(view).toMatchObject({ status: 502, end: 'completed', headers: { 'content-type': 'text/plain' } });
      expect(JSON.parse(view.body)).toMatchObject({ message: 'Parse Error: Expected HTTP/, RTSP/ or ICE/', code: 'HPE_INVALID_CONSTANT', bytesParsed: 81 });
    }
    expect(seen.map(({ failure, outcome }) => [failure.kind, failure.phase, outcome.productExit])).toEqual(
      Array(3).fill(['bad-framing', 'receiving-body', { code: 1, error: 'Error [ERR_STREAM_WRITE_AFTER_END]: write after end' }]),
    );
    // The engine's second line is lost with its process: one line each.
    expect(lines.map((line) => parseEventLogLine(line)?.message)).toEqual(Array(3).fill('targetRequest error'));
  });

  test('microgateway, request_timeout 1, a body that stalls: the targetResponse error line at 1 s and the client left waiting', async () => {
    const backend = await startBackend('stall-mid-body');
    const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings: { version: '3.3.7', edgemicro: { request_timeout: 1, logging: { dir: tempDir() } } } });
    const lines = collectLines(gateway);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 2500 });
    expect(view).toMatchObject({ status: 200, bodyBytes: 16, end: 'open', headers: { 'transfer-encoding': 'chunked' } });
    expect(lines.map((line) => parseEventLogLine(line))).toMatchObject([
      { level: 'error', component: 'plugins-middleware', message: 'targetResponse error', status: '200', errorMessage: 'aborted', errorCode: 'ECONNRESET' },
      { level: 'warn', component: 'plugins-middleware', message: 'targetResponse aborted', status: '200', errorMessage: '', errorCode: '' },
    ]);
  });
});

describe.concurrent("Edge refuses responses that parse, as Apigee's playbooks say", () => {
  test.each([
    ['method-not-allowed', 'Received 405 Response without Allow Header', 'protocol.http.Response405WithoutAllowHeader'],
    ['long-status-line', 'response line size exceeding 2,048', 'protocol.http.TooBigLine'],
    ['duplicate-header', 'Duplicate Header "Expires"', 'protocol.http.DuplicateHeader'],
  ] as const)('%s: 502 %s', async (name, faultstring, errorcode) => {
    const backend = await startBackend(name);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir() } });
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 502, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring, detail: { errorcode } } });
  });

  test('a status line of 2,048 bytes passes', async () => {
    const backend = await startBackend('long-status-line', { lineBytes: 2048 });
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir() } });
    expect(await exchange(`${gateway.url}/`, { openAfterMs: 5000 })).toMatchObject({ status: 200, body: 'ok' });
  });
});
