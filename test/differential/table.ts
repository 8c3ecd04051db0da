/**
 * The differential table: every row of the failure-phase model × method × engine release, each
 * driven through the mimic (set to the release) and through the real engine, and reduced to what
 * the comparison reads. One engine process per release fronts every row at once (a base path per
 * row); a case the mimic says kills the engine gets an engine of its own, whose exit is then part
 * of the evidence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendNamed } from '../../faulty-backends/index.ts';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { failureModel, methods, rowName, type Method, type ModelRow } from '../../faulty-backends/failure-model.ts';
import { createGateway } from '../../harness/gateway/gateway.ts';
import type { ProductExit } from '../../harness/gateway/personality.ts';
import { startMicrogatewayCore, type EngineVersion, type ReferenceGateway } from '../../harness/reference/microgateway-core.ts';
import { exchange, type ClientView } from '../helpers.ts';
import { linesForPath, type Evidence } from './sides.ts';

/**
 * request_timeout 2 s: every silence ends within the run, and a busy machine does not make a
 * response that is on its way lose the race against it.
 */
export const TABLE_SETTINGS = { edgemicro: { request_timeout: 2 } };
/** A client that has heard nothing more this long after sending is left waiting ('open'): past the 4 s a swallowed Client Hello takes. */
const OPEN_AFTER_MS = 6000;
/** A body still being sent when the target fails (the sending rows), else a small one that goes out with the head. */
const LARGE_BODY = Buffer.alloc(1024 * 1024, 'a');
const SMALL_BODY = Buffer.alloc(16, 'a');

export interface TableCase {
  row: ModelRow;
  index: number;
  method: Method;
  name: string;
  /** the request path: a base path of its own, so the engine routes it and its lines can be told apart */
  path: string;
}

export const tableCases: TableCase[] = failureModel.flatMap((row, index) =>
  (row.methods ?? methods).map((method) => ({
    row,
    index,
    method,
    name: `${rowName(row)} ${method}`,
    path: `/r${String(index).padStart(2, '0')}/${method.toLowerCase()}/emg_badtarget/flakey/hangup`,
  })),
);

export interface SideView extends Evidence {
  client: ClientView;
  exit?: ProductExit | { code: number | null; error: string };
}

/** The backends of every row, started once. */
export async function startTargets(): Promise<{ urls: string[]; close(): Promise<void> }> {
  const started: RunningBackend[] = [];
  const urls: string[] = [];
  for (const row of failureModel) {
    if ('url' in row.target) {
      urls.push(row.target.url);
      continue;
    }
    const definition = backendNamed(row.target.backend);
    const backend = await definition.start(row.target.settings ?? {});
    started.push(backend);
    urls.push(backend.url);
  }
  return { urls, close: async () => void (await Promise.all(started.map((backend) => backend.close()))) };
}

export function startEngine(version: EngineVersion, urls: readonly string[], only?: number): Promise<ReferenceGateway> {
  const routes = urls.flatMap((url, index) => (only === undefined || only === index ? [{ base_path: `/r${String(index).padStart(2, '0')}`, url }] : []));
  return startMicrogatewayCore({ version, target: urls[only ?? 0] ?? urls[0]!, routes, settings: TABLE_SETTINGS });
}

function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

const COMPARED_HEADERS = ['connection', 'keep-alive', 'content-type', 'content-length', 'transfer-encoding'];

function evidenceOf(side: 'mimic' | 'engine', client: ClientView, port: number, target: string, pid: number, lines: string[]): Evidence {
  return {
    side,
    status: client.status ?? 0,
    headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, client.headers[name]?.toString()])),
    body: parsedBody(client.body),
    elapsedMs: client.elapsedMs,
    authority: `127.0.0.1:${port}`,
    targetAuthority: new URL(target).host,
    pid,
    lines,
  };
}

function send(url: string, testCase: TableCase): Promise<ClientView> {
  const { method, row } = testCase;
  const body = method !== 'POST' ? undefined : row.bodyBytes ? Buffer.alloc(row.bodyBytes, 'a') : row.phase === 'sending' ? LARGE_BODY : SMALL_BODY;
  // A body of its own is megabytes pushed through two hops before the silence begins: on a loaded
  // machine that alone can take seconds, so the client waits twice as long before calling it open.
  return exchange(url, { method, ...(body ? { body } : {}), openAfterMs: row.bodyBytes ? 2 * OPEN_AFTER_MS : OPEN_AFTER_MS });
}

/** The folder every mimic's log goes under, made once and removed whole (test/differential/table.test.ts). */
export function makeLogRoot(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-table-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runMimic(version: EngineVersion, testCase: TableCase, target: string, logRoot: string): Promise<SideView> {
  const dir = mkdtempSync(join(logRoot, 'mimic-'));
  const gateway = await createGateway({ personality: 'microgateway', target, port: 0, settings: { ...TABLE_SETTINGS, version, edgemicro: { ...TABLE_SETTINGS.edgemicro, logging: { dir } } } });
  const lines: string[] = [];
  let exit: ProductExit | undefined;
  gateway.on('log', (line) => lines.push(line));
  gateway.on('failure', (_failure, _answer, _tag, outcome) => (exit ??= outcome.productExit));
  try {
    const client = await send(`${gateway.url}${testCase.path}`, testCase);
    return { ...evidenceOf('mimic', client, gateway.port, target, process.pid, [...lines]), client, ...(exit ? { exit } : {}) };
  } finally {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine's side; `mimic` (running alongside) says how many lines to wait for and whether the engine should die. */
export async function runEngine(engine: ReferenceGateway, testCase: TableCase, target: string, mimic: Promise<SideView>): Promise<SideView> {
  // A case run again (after a disturbed run) uses its path again; its earlier runs' lines are not this run's.
  const before = (await linesForPath(engine, testCase.path, 0, 0)).length;
  const client = await send(`${engine.url}${testCase.path}`, testCase);
  const expected = await mimic;
  const lines = (await linesForPath(engine, testCase.path, before + expected.lines.length)).slice(before);
  let exit: SideView['exit'];
  if (expected.exit) {
    const ended = await Promise.race([engine.exit, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000))]);
    if (ended) exit = { code: ended.code, error: ended.stderr };
  } else if (engine.exited()) {
    const ended = await engine.exit;
    exit = { code: ended.code, error: ended.stderr };
  }
  return { ...evidenceOf('engine', client, engine.port, target, engine.pid, lines), client, ...(exit ? { exit } : {}) };
}
