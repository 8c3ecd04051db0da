/**
 * The microgateway personality against every failing backend: the Node error serialised as the
 * engine serialises it (the document's {"message":"socket hang up","code":"ECONNRESET"}, and the
 * engine's shape for the other errors), and the document's two event-log lines, field for field.
 */
import http from 'node:http';
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../faulty-backends/index.ts';
import type { Failure } from '../../harness/gateway/failures.ts';
import { collectLines, request, startBackend, startGateway, tempDir, type Reply, type RequestOptions } from '../helpers.ts';
import { DOCUMENT_HOST, DOCUMENT_PATH, SOCKET_HANG_UP, expectDocumentLines, type ExpectedLines } from './microgateway-document.ts';

interface Run {
  reply: Reply;
  lines: string[];
  failures: Failure[];
  targetHost: string;
  backendPort: number;
  writtenBetween: [number, number];
}

/** One request for the document's path, with the document's Host, through a microgateway. */
async function throughMicrogateway(
  name: BackendName,
  options: { backend?: Record<string, unknown>; settings?: Record<string, unknown>; request?: RequestOptions } = {},
): Promise<Run> {
  const backend = await startBackend(name, options.backend);
  const gateway = await startGateway({
    personality: 'microgateway',
    target: backend.url,
    settings: { edgemicro: { logging: { dir: tempDir() } }, ...options.settings },
  });
  const lines = collectLines(gateway);
  const failures: Failure[] = [];
  gateway.on('failure', (failure) => failures.push(failure));
  const before = Date.now();
  const reply = await request(`${gateway.url}${DOCUMENT_PATH}`, { ...options.request, headers: { host: DOCUMENT_HOST, ...options.request?.headers } });
  return { reply, lines, failures, targetHost: `127.0.0.1:${backend.port}`, backendPort: backend.port, writtenBetween: [before, Date.now()] };
}

function expectLines(run: Run, expected: Omit<ExpectedLines, 'targetHost' | 'writtenBetween'> = {}): void {
  expectDocumentLines(run.lines, { targetHost: run.targetHost, writtenBetween: run.writtenBetween, ...expected });
}

/**
 * The error a plain Node client raises against the same target, serialised as microgateway-core's
 * errors-middleware does: `message` made enumerable, then JSON.stringify.
 */
function nodeErrorAgainst(url: string, options: https.RequestOptions = {}): Promise<{ body: string; message: string; code: string }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(url, { agent: false, ...options }, (res) => {
      res.resume();
      res.on('end', () => reject(new Error(`the target answered ${res.statusCode}`)));
      res.on('error', (error: NodeJS.ErrnoException) => settle(error));
    });
    const settle = (error: NodeJS.ErrnoException) => {
      Object.defineProperty(error, 'message', { enumerable: true });
      resolve({ body: JSON.stringify(error), message: error.message, code: error.code ?? '' });
    };
    req.on('error', settle);
    req.end();
  });
}

describe('microgateway × failing backends', () => {
  it('fin-mid-request after the request headers: 502 socket hang up, and the two lines of the document', async () => {
    const run = await throughMicrogateway('fin-mid-request');
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(SOCKET_HANG_UP);
    expectLines(run);
    expect(run.failures.map((failure) => failure.kind)).toEqual(['premature-close']);
  });

  it('fin-mid-request after 64 KiB of an 8 MiB POST (the target closing while the payload is sent): 502 socket hang up', async () => {
    const run = await throughMicrogateway('fin-mid-request', {
      backend: { afterBodyBytes: 64 * 1024 },
      request: { method: 'POST', body: Buffer.alloc(8 * 1024 * 1024, 'a'), headers: { 'content-type': 'application/octet-stream' } },
    });
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(SOCKET_HANG_UP);
    expectLines(run, { method: 'POST' });
    expect(run.failures.map((failure) => [failure.kind, failure.phase])).toEqual([['premature-close', 'sending']]);
  });

  it('reset-mid-request: 502 with the RST error, {"message":"read ECONNRESET",…}', async () => {
    const run = await throughMicrogateway('reset-mid-request');
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe('{"message":"read ECONNRESET","errno":-104,"code":"ECONNRESET","syscall":"read"}');
    expectLines(run, { targetError: { message: 'read ECONNRESET', code: 'ECONNRESET' } });
  });

  it('closed-port: 502 with the refused connect, {"message":"connect ECONNREFUSED …",…}', async () => {
    const run = await throughMicrogateway('closed-port');
    const port = run.backendPort;
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(
      `{"message":"connect ECONNREFUSED 127.0.0.1:${port}","errno":-111,"code":"ECONNREFUSED","syscall":"connect","address":"127.0.0.1","port":${port}}`,
    );
    expectLines(run, { targetError: { message: `connect ECONNREFUSED 127.0.0.1:${port}`, code: 'ECONNREFUSED' } });
  });

  it('not-http: 502 with the parse error Node raises, serialised whole', async () => {
    const run = await throughMicrogateway('not-http');
    const expected = await nodeErrorAgainst(`http://${run.targetHost}/`);
    expect(expected.code).toBe('HPE_INVALID_CONSTANT');
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(expected.body);
    // The serialised error carries the bytes that failed to parse: the backend's greeting.
    const raw = (JSON.parse(run.reply.body) as { rawPacket: { data: number[] } }).rawPacket.data;
    expect(Buffer.from(raw).toString()).toBe('SSH-2.0-OpenSSH_9.2p1\r\n');
    expectLines(run, { targetError: expected });
  });

  it('no-content-with-body: 502 with the parse error Node raises on the bytes after the 204', async () => {
    const run = await throughMicrogateway('no-content-with-body');
    const expected = await nodeErrorAgainst(`http://${run.targetHost}/`);
    expect(expected.code).toBe('HPE_CLOSED_CONNECTION');
    expect(run.reply.status).toBe(502);
    expect(run.reply.body).toBe(expected.body);
    expectLines(run, { targetError: expected });
  });

  it('swallow-client-hello with request_timeout 1: 504 Gateway timed out trying to reach target', async () => {
    const run = await throughMicrogateway('swallow-client-hello', { settings: { edgemicro: { logging: { dir: tempDir() }, request_timeout: 1 } } });
    expect(run.reply.status).toBe(504);
    expect(run.reply.body).toBe('{"message":"Gateway timed out trying to reach target"}');
    // As in microgateway-core itself: the request sits unsent in the TLS socket's write queue, so
    // Node lets the socket's 1 s inactivity timer run out twice before the engine aborts.
    expect(run.reply.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(run.reply.elapsedMs).toBeLessThanOrEqual(2400);
    expectLines(run, {
      status: '504',
      clientError: { message: 'Gateway timed out trying to reach target', code: '' },
      durationMs: [2000, Math.ceil(run.reply.elapsedMs)],
    });
  });

  it('a self-signed TLS target: 502 with the certificate error, unless targets[].ssl.client.rejectUnauthorized is false', async () => {
    const refused = await throughMicrogateway('healthy', { backend: { tls: true } });
    const expected = await nodeErrorAgainst(`https://${refused.targetHost}/`);
    expect(expected.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(refused.reply.status).toBe(502);
    expect(refused.reply.body).toBe(expected.body);
    expectLines(refused, { targetError: expected });

    const trusted = await throughMicrogateway('healthy', {
      backend: { tls: true },
      settings: { edgemicro: { logging: { dir: tempDir() } }, targets: [{ host: '127.0.0.1', ssl: { client: { rejectUnauthorized: false } } }] },
    });
    expect(trusted.reply.status).toBe(200);
    expect(trusted.reply.body).toBe('{"ok":true}');
    expect(trusted.lines).toEqual([]);
  });

  it('healthy: 200 with the target body and no log line', async () => {
    const run = await throughMicrogateway('healthy');
    expect(run.reply.status).toBe(200);
    expect(run.reply.body).toBe('{"ok":true}');
    expect(run.lines).toEqual([]);
    expect(run.failures).toEqual([]);
  });
});
