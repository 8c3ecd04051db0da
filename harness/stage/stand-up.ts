/**
 * standUp(): every faulty backend, with a gateway of each personality in front of each, all on
 * loopback, for a live demonstration: each row is a URL that a plain `curl` turns into the
 * failure. What each row shows is planned in plan.ts from the backends' and personalities'
 * declarations; this module starts what the plan needs: the backends (behind the FIN-delay relay
 * where one asks for it), a gateway per row, and, in wire mode, the namespace path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendNamed, startBackend, type BackendName } from '../../faulty-backends/index.ts';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { ensureWritableFolder } from '../folders.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { personalities } from '../gateway/personalities.ts';
import type { PersonalityName } from '../gateway/personality.ts';
import { startFinDelayRelay, type FinDelayRelay } from '../relay/fin-delay-relay.ts';
import { resolveDurations, type Duration } from '../runner/duration.ts';
import { openWirePath, type WirePath } from '../wire/path.ts';
import type { StageTimings } from './demo.ts';
import { curlFor, planStage, stageBackends, type PlannedRow } from './plan.ts';

export interface StandUpOptions {
  /** the products' own timings (55 s handshake limit, 5 s idle close) instead of short ones */
  realTime?: boolean;
  /** listen on consecutive ports from this one (gateways first, in table order); default: ephemeral */
  basePort?: number;
  host?: string;
  /** where the product logs go, kept after close; default: a new folder under the system temp folder, removed on close */
  logDir?: string;
  /** every backend in a network namespace of its own, behind a veth pair (see harness/wire/) */
  wire?: boolean;
}

export interface StageRow {
  personality: PersonalityName;
  backend: BackendName;
  url: string;
  /** the backend itself (behind the relay, for the keep-alive race) */
  backendUrl: string;
  /** what a curl to it reproduces */
  reproduces: string;
  /** the command to type */
  curl: string;
  /** the product log, for the rows whose failure the product logs (absent: no line is ever written) */
  logFile?: string;
  /** a second row for the same backend: how it differs */
  variant?: string;
  /** wire mode: the capture a user would take of this row's target */
  capture?: string;
}

export interface Stage {
  rows: StageRow[];
  logDir: string;
  /** whether logDir is removed on close (a folder of its own) or kept (the user's --log-dir) */
  removesLogDir: boolean;
  close(): Promise<void>;
}

/** The stage's timings: short ones by default, the products' own with --real-time. */
const timings = {
  handshakeLimitMs: { test: 1000, real: 55000 } as Duration,
  idleCloseMs: { test: 300, real: 5000 } as Duration,
  /** the relay's window: wide, so a human's second curl lands inside it */
  finHoldMs: { test: 10000, real: 10000 } as Duration,
  requestTimeoutS: { test: 1, real: 0 } as Duration,
};

interface Target {
  backend: RunningBackend;
  /** what the gateway's target is: the backend, or the relay in front of it */
  url: string;
}

interface Started {
  add<T extends { close(): Promise<void> }>(each: T): T;
}

/** Starts every backend with its stage settings; one that asks for it gets the FIN-delay relay in front. */
async function startTargets(t: StageTimings, host: string, wirePath: WirePath | undefined, started: Started): Promise<Map<BackendName, Target>> {
  const targets = new Map<BackendName, Target>();
  for (const name of stageBackends()) {
    const demo = backendNamed(name).demo;
    const backend = started.add(await startBackend(name, demo?.settings?.(t) ?? {}, wirePath ? await wirePath.listenOptions() : { host }));
    if (!demo?.behindFinDelayRelay) {
      targets.set(name, { backend, url: backend.url });
      continue;
    }
    const target = { host: wirePath?.targetAddress ?? host, port: backend.port };
    const relay: FinDelayRelay = started.add(await startFinDelayRelay({ target, holdFinMs: t.finHoldMs, forwardLateRequest: wirePath !== undefined }, { host }));
    targets.set(name, { backend, url: relay.url });
  }
  return targets;
}

/** A variant's own backend: the same settings, no relay, on loopback (one for both personalities). */
async function startVariantTarget(name: BackendName, t: StageTimings, host: string, started: Started): Promise<Target> {
  const backend = started.add(await startBackend(name, backendNamed(name).demo?.settings?.(t) ?? {}, { host }));
  return { backend, url: backend.url };
}

/** The gateway settings of a row: the stage's limits, or for a variant the personality's demonstration settings only. */
function gatewaySettings(row: PlannedRow, t: StageTimings, dir: string): Record<string, unknown> {
  const definition = personalities[row.personality];
  const limits = row.variant ? definition.demo.settings : definition.timeoutSettings({ ioTimeoutMs: t.handshakeLimitMs, requestTimeoutS: t.requestTimeoutS });
  return definition.withLogDir(limits, dir);
}

export async function standUp(options: StandUpOptions = {}): Promise<Stage> {
  const t = resolveDurations(timings, options.realTime ?? false) as StageTimings;
  const host = options.host ?? '127.0.0.1';
  const ownLogDir = options.logDir === undefined ? mkdtempSync(join(tmpdir(), 'faultgate-up-')) : undefined;
  const logDir = options.logDir ?? (ownLogDir as string);
  const closing: { close(): Promise<void> }[] = [];
  const started: Started = { add: (each) => (closing.push(each), each) };
  // A folder it made itself goes with it; one the user named stays.
  const closeAll = async () => {
    await Promise.allSettled(closing.reverse().map((each) => each.close()));
    if (ownLogDir) rmSync(ownLogDir, { recursive: true, force: true });
  };
  let nextPort = options.basePort;
  const port = () => (nextPort === undefined ? 0 : nextPort++);
  try {
    const wirePath = options.wire ? started.add(await openWirePath()) : undefined;
    const targets = await startTargets(t, host, wirePath, started);
    const variantTargets = new Map<BackendName, Target>();
    // A variant's backend is started once, for both personalities, when its first row comes.
    const targetOf = async (planned: PlannedRow): Promise<Target | undefined> => {
      if (!planned.variant) return targets.get(planned.backend);
      const target = variantTargets.get(planned.backend) ?? (await startVariantTarget(planned.backend, t, host, started));
      variantTargets.set(planned.backend, target);
      return target;
    };
    const rows: StageRow[] = [];
    // Gateways take the first ports (the ones people type), in table order; backends listen on ephemeral ones.
    for (const planned of planStage(t)) {
      const target = await targetOf(planned);
      if (!target) throw new Error(`no target for ${planned.backend}`);
      const dir = join(logDir, `${planned.personality}-${planned.backend}${planned.variant ? `-${planned.variant.key}` : ''}`);
      ensureWritableFolder(dir, '--log-dir');
      const gateway: Gateway = started.add(await createGateway({ personality: planned.personality, target: target.url, settings: gatewaySettings(planned, t, dir), host, port: port() }));
      rows.push(rowOf(planned, gateway, target, t, planned.variant ? undefined : wirePath));
    }
    return { rows, logDir, removesLogDir: ownLogDir !== undefined, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The printed row: the gateway's URL, the backend's, the text, the command to type, the log to tail, the capture. */
function rowOf(planned: PlannedRow, gateway: Gateway, target: Target, t: StageTimings, wirePath: WirePath | undefined): StageRow {
  const { personality, backend } = planned;
  const capture = wirePath ? `tcpdump -i ${wirePath.names.gatewayLink} -w ${personality}-${backend}.pcap 'host ${wirePath.targetAddress} and tcp port ${target.backend.port}'` : undefined;
  return {
    personality,
    backend,
    ...(planned.variant ? { variant: planned.variant.name } : {}),
    url: gateway.url,
    backendUrl: target.backend.url,
    reproduces: planned.reproduces,
    curl: curlFor(planned.requests, `${gateway.url}${personalities[personality].demo.path}`, t),
    ...(planned.logs ? { logFile: gateway.logFile } : {}),
    ...(capture ? { capture } : {}),
  };
}
