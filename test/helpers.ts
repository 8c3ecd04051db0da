/**
 * What the tests share: a plain HTTP client that reports errors as values, temporary folders, and
 * starters that register their own cleanup on the next line (every server closed, every folder
 * removed, also when the test fails).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { backends, type BackendName } from '../faulty-backends/index.ts';
import type { RunningBackend } from '../faulty-backends/backend.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../harness/gateway/gateway.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** ms from the request being sent to the response ending */
  elapsedMs: number;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: http.OutgoingHttpHeaders;
  agent?: http.Agent | false;
}

export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: performance.now() - started }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startBackend(name: BackendName, settings: Record<string, unknown> = {}): Promise<RunningBackend> {
  const backend = await (backends[name] as { start(s: unknown): Promise<RunningBackend> }).start(settings);
  onTestFinished(() => backend.close());
  return backend;
}

export async function startGateway(options: Omit<GatewayOptions, 'port'> & { port?: number }): Promise<Gateway> {
  const gateway = await createGateway({ port: 0, ...options });
  onTestFinished(() => gateway.close());
  return gateway;
}

/** Collects a gateway's product-format lines as they are written. */
export function collectLines(gateway: Gateway): string[] {
  const lines: string[] = [];
  gateway.on('log', (line) => lines.push(line));
  return lines;
}
