/**
 * Failures once the target's response has begun. Edge: the I/O limit ends a response that stalls
 * part-way (the client's connection is cut at the limit, no later); a body that overruns its
 * Content-Length goes on as framed. Microgateway, as microgateway-core does: a stalled or cut body
 * leaves the client waiting, with the `targetResponse error` line; bytes past the Content-Length
 * give a 502 with the parser's error, and the engine's death (exit 1, write after end) is
 * reported as evidence while the harness keeps serving, every time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
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
  test('edge, io.timeout.millis 1000, a body that stalls after 16 bytes: the limit cuts the client at 1 s', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('stall-mid-body', {}, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'io.timeout.millis': 1000, 'logging.dir': tempDir(finished) } }, finished);
    const seen = outcomes(gateway);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 200, bodyBytes: 16, end: 'cut' });
    expect(view.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(view.elapsedMs).toBeLessThanOrEqual(2500);
    expect(seen.map(({ failure, outcome }) => [failure.kind, failure.phase, failure.limit?.ms, outcome.client])).toEqual([['io-timeout', 'receiving-body', 1000, 'cut']]);
  });

  test('edge, a response head and no body byte before the silence: 504 GatewayTimeout at the limit', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('stall-mid-body', { sentBytes: 0 }, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'io.timeout.millis': 500, 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 504, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring: 'Gateway Timeout', detail: { errorcode: 'messaging.adaptors.http.flow.GatewayTimeout' } } });
  });

  test('edge, more body than Content-Length: the 16 bytes it declared, completed', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('overlong-body', {}, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 200, bodyBytes: 16, end: 'completed' });
  });

  test('microgateway, more body than Content-Length, 3 of 3: 502 with HPE_INVALID_CONSTANT, the engine exit as evidence, the gateway still serving', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('overlong-body', {}, finished);
    const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings: { edgemicro: { logging: { dir: tempDir(finished) } } } }, finished);
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

  test('microgateway, request_timeout 1, a body that stalls: the targetResponse error line at 1 s and the client left waiting', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('stall-mid-body', {}, finished);
    const gateway = await startGateway({ personality: 'microgateway', target: backend.url, settings: { version: '3.3.7', edgemicro: { request_timeout: 1, logging: { dir: tempDir(finished) } } } }, finished);
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
  test.for([
    ['method-not-allowed', 'Received 405 Response without Allow Header', 'protocol.http.Response405WithoutAllowHeader'],
    ['long-status-line', 'response line size exceeding 2,048', 'protocol.http.TooBigLine'],
    ['duplicate-header', 'Duplicate Header "Expires"', 'protocol.http.DuplicateHeader'],
  ] as const)('%s: 502 %s', async ([name, faultstring, errorcode], { onTestFinished: finished }) => {
    const backend = await startBackend(name, {}, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 502, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring, detail: { errorcode } } });
  });

  test.for([
    ['large-headers', {}, {}, 'response headers size exceeding 25,600', 'protocol.http.TooBigHeaders'],
    ['large-headers', { headerBytes: 25_601 }, {}, 'response headers size exceeding 25,600', 'protocol.http.TooBigHeaders'],
    ['large-headers', { headerBytes: 70_000 }, {}, 'response headers size exceeding 25,600', 'protocol.http.TooBigHeaders'],
    ['large-headers', { headerBytes: 2000 }, { 'HTTPResponse.headers.limit': 1024 }, 'response headers size exceeding 1,024', 'protocol.http.TooBigHeaders'],
    ['large-body', { bodyBytes: 1025 }, { 'HTTPResponse.body.buffer.limit': 1024 }, 'Body buffer overflow', 'protocol.http.TooBigBody'],
    ['false-gzip', {}, {}, 'Decompression failure at response', 'messaging.adaptors.http.flow.DecompressionFailureAtResponse'],
    ['false-gzip', { encoding: 'deflate, gzip' }, {}, 'Decompression failure at response', 'messaging.adaptors.http.flow.DecompressionFailureAtResponse'],
  ] as const)('%s %j: 502 %s', async ([name, backendSettings, gatewaySettings, faultstring, errorcode], { onTestFinished: finished }) => {
    const backend = await startBackend(name, backendSettings, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { ...gatewaySettings, 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/v1/orders`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 502, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring, detail: { errorcode } } });
  });

  test.for([
    ['large-headers, 20,000 bytes: past Node\'s 16 KiB, within Edge\'s 25,600', 'large-headers', { headerBytes: 20_000 }, {}, 'GET', 'ok'],
    ['large-headers, 25,600 bytes exactly', 'large-headers', { headerBytes: 25_600 }, {}, 'GET', 'ok'],
    ['large-body at the limit', 'large-body', { bodyBytes: 1024 }, { 'HTTPResponse.body.buffer.limit': 1024 }, 'GET', 'x'.repeat(1024)],
    ['large-body, HEAD: no payload', 'large-body', { bodyBytes: 1025 }, { 'HTTPResponse.body.buffer.limit': 1024 }, 'HEAD', ''],
    ['false-gzip, an encoding Edge does not decode', 'false-gzip', { encoding: 'br' }, {}, 'GET', '{"note":"plain text, not gzip"}'],
    ['false-gzip, HEAD: no payload to decode', 'false-gzip', {}, {}, 'HEAD', ''],
  ] as const)('%s: 200, passed on', async ([_title, name, backendSettings, gatewaySettings, method, body], { onTestFinished: finished }) => {
    const backend = await startBackend(name, backendSettings, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { ...gatewaySettings, 'logging.dir': tempDir(finished) } }, finished);
    expect(await exchange(`${gateway.url}/`, { method, openAfterMs: 5000, maxHeaderSize: 64 * 1024 })).toMatchObject({ status: 200, body, end: 'completed' });
  });

  test('a body that is gzip, as its Content-Encoding says: held, judged, passed on byte for byte', async ({ onTestFinished: finished }) => {
    const gzipped = gzipSync('{"ok":true}');
    const target = http.createServer((_req, res) => res.writeHead(200, { 'Content-Encoding': 'gzip', 'Transfer-Encoding': 'chunked' }).end(gzipped));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    finished(() => void target.close());
    const gateway = await startGateway({ personality: 'edge', target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`, settings: { 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/`, { openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 200, end: 'completed', bodyBytes: gzipped.length, headers: { 'content-encoding': 'gzip' } });
  });

  test('a gzip body within the limit that decodes past it: 502 TooBigBody', async ({ onTestFinished: finished }) => {
    const gzipped = gzipSync(Buffer.alloc(4096, 'a'));
    const target = http.createServer((_req, res) => res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': gzipped.length }).end(gzipped));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    finished(() => void target.close());
    const settings = { 'HTTPResponse.body.buffer.limit': 1024, 'logging.dir': tempDir(finished) };
    const gateway = await startGateway({ personality: 'edge', target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`, settings }, finished);
    const view = await exchange(`${gateway.url}/`, { openAfterMs: 5000 });
    expect(gzipped.length).toBeLessThan(1024);
    expect(view).toMatchObject({ status: 502, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring: 'Body buffer overflow', detail: { errorcode: 'protocol.http.TooBigBody' } } });
  });

  test('a request payload past HTTPRequest.body.buffer.limit: 413 TooBigBody, and no target sees it', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('healthy', {}, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'HTTPRequest.body.buffer.limit': 1024, 'logging.dir': tempDir(finished) } }, finished);
    const view = await exchange(`${gateway.url}/v1/orders`, { method: 'POST', body: Buffer.alloc(1025, 'a'), openAfterMs: 5000 });
    expect(view).toMatchObject({ status: 413, end: 'completed' });
    expect(JSON.parse(view.body)).toEqual({ fault: { faultstring: 'Body buffer overflow', detail: { errorcode: 'protocol.http.TooBigBody' } } });
    expect(backend.events.filter((event) => event.kind === 'request-read')).toEqual([]);
    const atLimit = await exchange(`${gateway.url}/v1/orders`, { method: 'POST', body: Buffer.alloc(1024, 'a'), openAfterMs: 5000 });
    expect(atLimit).toMatchObject({ status: 200 });
  });

  test('a chunked response (no Content-Length) is counted as it is held: past the limit 502 TooBigBody, at it passed on whole', async ({ onTestFinished: finished }) => {
    const settings = { 'HTTPResponse.body.buffer.limit': 1024, 'logging.dir': tempDir(finished) };
    const over = await startBackend('large-body', { bodyBytes: 1025, chunked: true }, finished);
    const overGateway = await startGateway({ personality: 'edge', target: over.url, settings }, finished);
    const refused = await exchange(`${overGateway.url}/`, { openAfterMs: 5000 });
    expect(refused).toMatchObject({ status: 502, end: 'completed' });
    expect(JSON.parse(refused.body)).toEqual({ fault: { faultstring: 'Body buffer overflow', detail: { errorcode: 'protocol.http.TooBigBody' } } });
    const at = await startBackend('large-body', { bodyBytes: 1024, chunked: true }, finished);
    const atGateway = await startGateway({ personality: 'edge', target: at.url, settings }, finished);
    expect(await exchange(`${atGateway.url}/`, { openAfterMs: 5000 })).toMatchObject({ status: 200, end: 'completed', body: 'x'.repeat(1024) });
  });

  test('a chunked request body (no Content-Length) is held and counted: past the limit 413 TooBigBody and no target sees it, at it sent on whole', async ({ onTestFinished: finished }) => {
    const received: number[] = [];
    const target = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push(bytes);
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    finished(() => void target.close());
    const settings = { 'HTTPRequest.body.buffer.limit': 1024, 'logging.dir': tempDir(finished) };
    const gateway = await startGateway({ personality: 'edge', target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`, settings }, finished);
    const post = (chunks: number) =>
      new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        const req = http.request(`${gateway.url}/v1/orders`, { method: 'POST', agent: false, headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', reject);
        for (let index = 0; index < chunks; index++) req.write(Buffer.alloc(256, 'a'));
        req.end();
      });
    const over = await post(5);
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body)).toEqual({ fault: { faultstring: 'Body buffer overflow', detail: { errorcode: 'protocol.http.TooBigBody' } } });
    expect(received).toEqual([]);
    expect(await post(4)).toEqual({ status: 200, body: '{"ok":true}' });
    expect(received).toEqual([1024]);
  });

  test('a status line of 2,048 bytes passes', async ({ onTestFinished: finished }) => {
    const backend = await startBackend('long-status-line', { lineBytes: 2048 }, finished);
    const gateway = await startGateway({ personality: 'edge', target: backend.url, settings: { 'logging.dir': tempDir(finished) } }, finished);
    expect(await exchange(`${gateway.url}/`, { openAfterMs: 5000 })).toMatchObject({ status: 200, body: 'ok' });
  });
});
