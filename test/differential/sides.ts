/**
 * One side of a differential run: the mimic (the microgateway personality) or the real engine
 * (microgateway-core in a child process), started in front of a target, driven through one case,
 * and reduced to the evidence the comparison reads. Cleanup is registered on the caller's test as
 * soon as each thing is started, so a failing case leaves nothing running.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import type { MicrogatewaySettingsInput } from '../../harness/config/microgateway.ts';
import { createGateway } from '../../harness/gateway/gateway.ts';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { startMicrogatewayCore, type EngineVersion, type ReferenceGateway } from '../../harness/reference/microgateway-core.ts';
import { startFinDelayRelay, type FinDelayRelay } from '../../harness/relay/fin-delay-relay.ts';
import { request, type Reply } from '../helpers.ts';
import type { DifferentialCase } from './cases.ts';

export type SideName = 'mimic' | 'engine';
export type Cleanup = (close: () => void | Promise<void>) => void;

/** The document's request path. */
export const PATH = '/emg_badtarget/flakey/hangup';

export interface Evidence {
  side: SideName;
  status: number;
  /** the response headers that carry meaning (framing and connection handling) */
  headers: Record<string, string | undefined>;
  /** the body, parsed as JSON when it is JSON */
  body: unknown;
  elapsedMs: number;
  /** host:port the client addressed, which the gateway prints as the Host it saw */
  authority: string;
  /** host:port of the gateway's target (the backend, or the relay in front of it) */
  targetAuthority: string;
  /** the process that wrote the log lines */
  pid: number;
  lines: string[];
  /** the idle race's first request, which must have succeeded */
  first?: { status: number; body: unknown };
}

interface StartedSide {
  url: string;
  port: number;
  pid: number;
  lines(expected: number): Promise<string[]>;
}

const COMPARED_HEADERS = ['connection', 'keep-alive', 'content-type', 'content-length', 'transfer-encoding'];

/** How long the engine's lines may take to reach its file after the client has its answer. */
const LINES_DEADLINE_MS = 3000;

/**
 * The lines an engine shared by several cases wrote for one request path (its `proxy` field):
 * waits until there are `expected`, then `settleMs` more for any beyond.
 */
export async function linesForPath(engine: ReferenceGateway, path: string, expected: number, settleMs = 200): Promise<string[]> {
  const proxy = path.replace('/', '');
  const mine = (lines: string[]) => lines.filter((line) => parseEventLogLine(line)?.proxy === proxy);
  const deadline = performance.now() + LINES_DEADLINE_MS;
  let lines = mine(await engine.readLines(0));
  while (lines.length < expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    lines = mine(await engine.readLines(0));
  }
  if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
  return mine(await engine.readLines(0));
}

/**
 * Where a case runs: by default the document's path on a side of its own. With `engine`, the
 * engine side is that already running engine, which routes `path` (a base path of the case's
 * own) to `engineTarget`, so one engine process serves every case with the same settings.
 */
export interface Placement {
  path: string;
  engine?: { gateway: ReferenceGateway; target: string; relay?: FinDelayRelay };
}

async function startSide(side: SideName, version: EngineVersion, target: string, settings: MicrogatewaySettingsInput, cleanup: Cleanup, placement?: Placement): Promise<StartedSide> {
  const shared = placement?.engine?.gateway;
  if (side === 'engine' && shared) {
    const path = placement.path;
    return { url: shared.url, port: shared.port, pid: shared.pid, lines: (expected) => linesForPath(shared, path, expected) };
  }
  if (side === 'engine') {
    const engine = await startMicrogatewayCore({ version, target, settings });
    cleanup(() => engine.close());
    return { url: engine.url, port: engine.port, pid: engine.pid, lines: (expected) => engine.readLines(expected, 3000) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-differential-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const gateway = await createGateway({
    personality: 'microgateway',
    target,
    port: 0,
    settings: { ...settings, version, edgemicro: { ...settings.edgemicro, logging: { ...settings.edgemicro?.logging, dir } } },
  });
  cleanup(() => gateway.close());
  // The mimic writes its lines before it answers, so by the time the reply is in they are here.
  const lines: string[] = [];
  gateway.on('log', (line) => lines.push(line));
  return { url: gateway.url, port: gateway.port, pid: process.pid, lines: async () => lines };
}

/** Waits for an event with a deadline that names what did not happen. */
async function within<T>(event: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([event, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function parsed(reply: Reply): unknown {
  try {
    return JSON.parse(reply.body) as unknown;
  } catch {
    return reply.body;
  }
}

/** The FIN-delay relay the idle race needs in front of the backend (one per side). */
export async function idleRaceRelay(backend: RunningBackend, cleanup: Cleanup) {
  const relay = await startFinDelayRelay({ target: { host: '127.0.0.1', port: backend.port }, holdFinMs: 5000 });
  cleanup(() => relay.close());
  return relay;
}

export async function runSide(side: SideName, version: EngineVersion, testCase: DifferentialCase, backend: RunningBackend, cleanup: Cleanup, placement?: Placement): Promise<Evidence> {
  const shared = side === 'engine' ? placement?.engine : undefined;
  const relay = testCase.idleRace && !shared ? await idleRaceRelay(backend, cleanup) : undefined;
  // A shared engine's route already leads to this case's target (its own relay, for the race).
  const target = shared?.target ?? relay?.url ?? backend.url;
  const started = await startSide(side, version, target, testCase.settings ?? {}, cleanup, placement);
  // One keep-alive connection to the gateway, as a real client has: the gateway forwards the
  // client's Connection header to the target, and `close` would spoil the target's keep-alive.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanup(() => agent.destroy());
  const url = `${started.url}${placement?.path ?? PATH}`;
  const raceRelay = relay ?? (testCase.idleRace ? shared?.relay : undefined);

  let first: Evidence['first'];
  if (raceRelay) {
    // Listening before the first request: the backend may close before its answer reaches the client.
    const finHeld = once(raceRelay, 'fin-held');
    const reply = await request(url, { agent });
    first = { status: reply.status, body: parsed(reply) };
    await within(finHeld, 3000, `${side}: the backend's idle close (fin-held)`);
  }
  const reply = await request(url, {
    agent,
    method: testCase.method ?? 'GET',
    ...(testCase.bodyBytes ? { body: Buffer.alloc(testCase.bodyBytes, 'a') } : {}),
  });
  const lines = await started.lines(testCase.lines(version));
  return {
    side,
    status: reply.status,
    headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, reply.headers[name]?.toString()])),
    body: parsed(reply),
    elapsedMs: reply.elapsedMs,
    authority: `127.0.0.1:${started.port}`,
    targetAuthority: new URL(target).host,
    pid: started.pid,
    lines,
    ...(first ? { first } : {}),
  };
}
