/**
 * Edge's Router (a real nginx) in front of the edge personality, one nginx for the whole file:
 * the Router's own 504 when it times out first ("504 Gateway timeout - Router timing out": status
 * line "504 Gateway Time-out" and its HTML page), and its own 502 when the Message Processor is
 * gone or closes the connection unanswered ("502 Bad Gateway": No MPs available in the pool), each page as its
 * playbook prints it; the Message Processor's own answers pass through.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { startBackend as startNamedBackend } from '../../faulty-backends/index.ts';
import { createGateway, type Gateway } from '../../harness/gateway/gateway.ts';
import { ROUTER_502_PAGE, ROUTER_504_PAGE, routerUnavailable, startRouter, type Router } from '../../harness/relay/router.ts';

interface Answer {
  status: number;
  statusMessage: string;
  contentType: string | undefined;
  body: string;
  elapsedMs: number;
}

function get(url: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', contentType: res.headers['content-type'], body, elapsedMs: performance.now() - started }));
      })
      .on('error', reject);
  });
}

const READ_TIMEOUT_MS = 300;

describe.skipIf(routerUnavailable())('the Router in front of the Message Processor', () => {
  let backend: RunningBackend;
  let gateway: Gateway;
  let router: Router;
  let logDir: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'faultgate-router-test-'));
    backend = await startNamedBackend('never-respond');
    // The Message Processor waits longer than the Router does: the Router answers first.
    gateway = await createGateway({ personality: 'edge', target: backend.url, port: 0, settings: { 'io.timeout.millis': 5000, 'logging.dir': logDir } });
    router = await startRouter({ upstreamUrl: gateway.url, readTimeoutMs: READ_TIMEOUT_MS });
  });

  afterAll(async () => {
    await router?.close();
    await gateway?.close();
    await backend?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('times out first: "504 Gateway Time-out" with the Router’s page, after its read timeout', async () => {
    const answer = await get(`${router.url}/v1/orders`);
    expect(answer).toMatchObject({ status: 504, statusMessage: 'Gateway Time-out', contentType: 'text/html', body: ROUTER_504_PAGE });
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS);
  });

  it('with no Message Processor to reach: "502 Bad Gateway" with the Router’s page', async () => {
    await gateway.close();
    const answer = await get(`${router.url}/v1/orders`);
    expect(answer).toMatchObject({ status: 502, statusMessage: 'Bad Gateway', contentType: 'text/html', body: ROUTER_502_PAGE });
  });

  it('a Message Processor that closes the connection without answering: the same 502 page', async () => {
    // On the Message Processor's port now: a process that reads the request and closes (FIN).
    const closer = await startNamedBackend('fin-mid-request', {}, { port: gateway.port });
    try {
      const answer = await get(`${router.url}/v1/orders`);
      expect(answer).toMatchObject({ status: 502, statusMessage: 'Bad Gateway', contentType: 'text/html', body: ROUTER_502_PAGE });
      expect(closer.events.some((event) => event.kind === 'fin-sent')).toBe(true);
    } finally {
      await closer.close();
    }
  });
});
