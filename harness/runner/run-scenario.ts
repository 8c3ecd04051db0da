/**
 * runScenario(): turns one scenario into evidence. It starts the backend, the FIN-delay relay when
 * the scenario has one, and the gateway, each on an ephemeral port; drives the client; collects
 * the responses, the product-format log lines, the classifier's verdict and a timeline of what each
 * socket and timer did; judges it all against the scenario's expectations; and closes everything
 * it started, also when a step throws, times out or is interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendNamed } from '../../faulty-backends/index.ts';
import type { Failure } from '../gateway/failures.ts';
import type { ClientOutcome, FailureOutcome, ProductExit } from '../gateway/personality.ts';
import { personalities } from '../gateway/personalities.ts';
import type { PersonalityName } from '../gateway/personality.ts';
import { startFinDelayRelay, type FinDelayRelay } from '../relay/fin-delay-relay.ts';
import { startRouter } from '../relay/router.ts';
import { now, type TraceEvent, type TraceSink } from '../trace.ts';
import type { Packet } from '../wire/decode.ts';
import type { WirePath } from '../wire/path.ts';
import { TargetSide, type WireEvidence } from '../wire/target-side.ts';
import { driveClient, type RequestOutcome, type ResolvedStep } from './client.ts';
import { resolveDuration, resolveDurations } from './duration.ts';
import { judge } from './expectations.ts';
import type { GatewayStarter } from './gateway-starter.ts';
import { mimicStarter } from './mimic-starter.ts';
import { settingValue } from './setting-value.ts';
import type { Scenario } from './scenario.ts';

export interface RunOptions {
  /** the products' own defaults (55 s handshake limit, 5 s idle close) instead of the short test values */
  realTime?: boolean;
  /** which gateway runs the scenario: the harness's own (default), or one the caller assembled (a real engine) */
  gateway?: GatewayStarter;
  /** no FIN hold: the keep-alive race at its natural, loopback odds */
  naturalRace?: boolean;
  /** keep the product logs in this folder; default: a temporary folder removed after the run */
  logDir?: string;
  signal?: AbortSignal;
  /** every socket, timer and client event, as it happens */
  onTrace?: TraceSink;
  /** everything is started and configured; the client is about to send (a narration's header) */
  onReady?: (setup: RunSetup) => void;
  /**
   * the target side in a network namespace of its own, behind a veth pair, captured (true: a path
   * of the run's own; a path: one shared with other runs, e.g. repetitions)
   */
  wire?: boolean | WirePath;
  /** wire mode: write the capture here (default: beside the product log when it is kept) */
  pcap?: string;
}

/** What a run is set up to do, known before the client sends: a narration's header. */
export interface RunSetup {
  /** the starter's name: "mimic", or the engine's */
  gateway: string;
  /** the monotonic clock reading that timeline times count from */
  startedAt: number;
  hops: Evidence['hops'];
  settings: Evidence['settings'];
}

export interface TimelineEntry extends Omit<TraceEvent, 'at'> {
  /** ms since the run started */
  t: number;
}

export interface Evidence {
  scenario: string;
  title: string;
  ok: boolean;
  /** each unmet expectation, in a sentence */
  problems: string[];
  personality: PersonalityName;
  /** the starter's name: "mimic", or the engine's (microgateway-core@3.1.6) */
  gateway: string;
  realTime: boolean;
  naturalRace: boolean;
  /** the last request's response */
  response?: { status: number; headers: http.IncomingHttpHeaders; body: string };
  /** the last request's error, when it got no response */
  error?: { code: string; message: string };
  requests: RequestOutcome[];
  /** the product-format lines written during the run */
  logs: string[];
  /** Edge's message id of the last request (X-Apigee.Message-ID in Trace), as the gateway recorded it on receiving the request; its log line carries it too */
  messageId?: string;
  /** the product log file, when it is kept (RunOptions.logDir); a temporary one is removed with the run */
  logFile?: string;
  /** what the harness's gateway classifier named (absent for the real engine), and the limit that fired, if one did */
  failure?: {
    kind: string;
    phase: string;
    description: string;
    limit?: { name: string; ms: number; firedAfterMs?: number };
    /** what the client got: the product's answer, the target's response passed on, its connection cut, or left waiting */
    client?: ClientOutcome;
    /** the product's process would have ended here (microgateway-core's write after end); the harness kept serving */
    productExit?: ProductExit;
  };
  timeline: TimelineEntry[];
  /** where the gateway listened and the host:port it reached the target at (the relay, when there is one) */
  endpoints: { gateway: string; target: string };
  /** one sentence each: what the gateway and the backend were configured to do (and the Router in front, the relay behind, when there is one) */
  hops: { gateway: string; backend: string; relay?: string | undefined; router?: string | undefined };
  /** ms from the first request to the last answer */
  elapsedMs: number;
  settings: { gateway: unknown; backend: unknown; relay?: { holdFinMs: number } | undefined; router?: { readTimeoutMs: number } | undefined };
  backend: { name: string; explanation: string };
  /** wire mode: the decoded capture, numbered from 1 as Wireshark numbers it */
  packets?: Packet[];
  /** wire mode: the capture file, when it is kept */
  pcap?: string;
  /** wire mode: the path, the capture filter, the firewall, the telnet step and the document's reading */
  wire?: Omit<WireEvidence, 'packets'>;
}

function failureEvidence(failure: Failure, outcome: FailureOutcome | undefined): NonNullable<Evidence['failure']> {
  return {
    kind: failure.kind,
    phase: failure.phase,
    description: failure.description,
    ...(failure.limit ? { limit: failure.limit } : {}),
    ...(outcome ? { client: outcome.client } : {}),
    ...(outcome?.productExit ? { productExit: outcome.productExit } : {}),
  };
}

/** The message id the gateway gave the last request it received (its trace record; Edge only). */
function lastMessageId(timeline: readonly TimelineEntry[]): string | undefined {
  let id: string | undefined;
  for (const event of timeline) if (event.source === 'gateway' && event.kind === 'request-received' && event.messageId !== undefined) id = event.messageId;
  return id;
}

export { settingValue };

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<Evidence> {
  const realTime = options.realTime ?? false;
  const naturalRace = options.naturalRace ?? false;
  const starter = options.gateway ?? mimicStarter;
  const { personality } = scenario.gateway;
  const onWire = options.wire !== undefined && options.wire !== false;
  const backendChoice = (onWire && scenario.wire?.backend) || scenario.backend;
  const backendSettings = resolveDurations(backendChoice.settings, realTime);
  const relaySettings = scenario.relay ? { holdFinMs: naturalRace ? 0 : resolveDuration(scenario.relay.holdFinMs, realTime) } : undefined;
  const steps = resolveDurations(scenario.client, realTime) as ResolvedStep[];
  const routerSettings = scenario.router ? { readTimeoutMs: resolveDuration(scenario.router.readTimeoutMs, realTime) } : undefined;

  const startedAt = now();
  const timeline: TimelineEntry[] = [];
  const trace: TraceSink = (event) => {
    timeline.push({ ...event, t: event.at - startedAt });
    options.onTrace?.(event);
  };
  const ownLogDir = options.logDir === undefined ? mkdtempSync(join(tmpdir(), `faultgate-${scenario.name}-`)) : undefined;
  const gatewaySettings = personalities[personality].withLogDir(resolveDurations({ ...scenario.gateway.settings, ...(onWire ? scenario.wire?.gateway : {}) }, realTime), options.logDir ?? (ownLogDir as string));
  const started: { close(): Promise<void> }[] = [];
  try {
    const side = onWire ? await TargetSide.open(typeof options.wire === 'object' ? { path: options.wire } : {}) : undefined;
    if (side) started.push(side);
    const definition = backendNamed(backendChoice.name);
    const backend = await definition.start(backendSettings, await side?.listenOptions());
    started.push(backend);
    const pcap = options.pcap ?? join(options.logDir ?? (ownLogDir as string), `${scenario.name}-${backend.port}.pcap`);
    await side?.guard(backend.port, backend.protocol, scenario.wire?.firewall, typeof options.wire === 'object' && !options.pcap ? undefined : pcap);
    backend.on('trace', trace);
    let relay: FinDelayRelay | undefined;
    if (relaySettings) {
      const target = { host: side?.path.targetAddress ?? '127.0.0.1', port: backend.port };
      relay = await startFinDelayRelay({ target, holdFinMs: relaySettings.holdFinMs, protocol: backend.protocol, forwardLateRequest: side !== undefined });
      started.push(relay);
      relay.on('trace', trace);
    }
    const gateway = await starter.start({
      personality,
      target: relay?.url ?? backend.url,
      settings: gatewaySettings,
      trace,
    });
    started.push(gateway);
    const router = routerSettings ? await startRouter({ upstreamUrl: gateway.url, ...routerSettings }) : undefined;
    if (router) started.push(router);
    const parsedSettings = personalities[personality].parseSettings(gatewaySettings);
    const setup: RunSetup = {
      gateway: starter.name,
      startedAt,
      hops: {
        gateway: gateway.description,
        backend: `${backend.name}: ${backend.explanation}${side?.firewall ? `, behind a firewall: ${side.firewall}` : ''}`,
        ...(router ? { router: router.describe() } : {}),
        ...(relaySettings
          ? { relay: relaySettings.holdFinMs > 0 ? `holds the target's FIN back for up to ${relaySettings.holdFinMs} ms (the race window)` : "passes the target's FIN on at once (the natural race)" }
          : {}),
      },
      settings: {
        gateway: parsedSettings,
        backend: definition.parseSettings(backendSettings),
        ...(relaySettings ? { relay: relaySettings } : {}),
        ...(routerSettings ? { router: routerSettings } : {}),
      },
    };
    options.onReady?.(setup);

    // "The target closes the pooled connection": its FIN reaching the relay (held or, in a natural
    // race, passed on at once), or the backend's own idle close.
    const targetCloses = () =>
      new Promise<void>((resolve) => {
        if (relay) relay.once('target-closed', () => resolve());
        else {
          const onTrace = (event: TraceEvent) => {
            if (event.kind !== 'idle-close') return;
            backend.off('trace', onTrace);
            resolve();
          };
          backend.on('trace', onTrace);
        }
      });

    const firstRequestAt = now();
    const outcomes = await driveClient(steps, {
      // With a Router, the client talks to it, as Edge's clients do.
      gatewayUrl: router?.url ?? gateway.url,
      targetCloses,
      trace,
      startedAt,
      requestTimeoutMs: realTime ? 120_000 : 20_000,
      naturalRace,
      targetCloseGraceMs: relaySettings?.holdFinMs ?? 0,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const elapsedMs = now() - firstRequestAt;
    // An interrupted run is no evidence: say so rather than judge half a run.
    options.signal?.throwIfAborted();
    const logs = await gateway.lines(scenario.expect.logs?.length ?? 0);
    const failure = gateway.lastFailure();
    const messageId = lastMessageId(timeline);
    const wire = side ? await side.finish(scenario.wire?.story, wireContext(timeline, startedAt, logs), { relay: relay !== undefined, boundMs: realTime ? 10_000 : 3_000, expected: connectionsOf(timeline) }) : undefined;
    const problems = judge(
      scenario.expect,
      {
        outcomes,
        logs,
        failure,
        settingValue: (name) => settingValue(parsedSettings, name),
        context: { target: gateway.target, gateway: new URL(gateway.url).host, messageId },
      },
      scenario.client as { request?: { expectStatus?: number } }[],
    );
    if (wire) problems.push(...wire.problems);
    const last = outcomes.at(-1);
    return {
      scenario: scenario.name,
      title: scenario.title,
      ok: problems.length === 0,
      problems,
      personality,
      gateway: starter.name,
      realTime,
      naturalRace,
      ...(last?.status !== undefined ? { response: { status: last.status, headers: last.headers ?? {}, body: last.body ?? '' } } : {}),
      ...(last?.error ? { error: last.error } : {}),
      requests: outcomes,
      logs,
      ...(messageId ? { messageId } : {}),
      ...(ownLogDir ? {} : { logFile: gateway.logFile }),
      ...(failure ? { failure: failureEvidence(failure, gateway.lastOutcome?.()) } : {}),
      timeline: timeline.sort((a, b) => a.t - b.t),
      endpoints: { gateway: gateway.url, target: gateway.target },
      hops: setup.hops,
      elapsedMs,
      settings: setup.settings,
      backend: { name: backend.name, explanation: backend.explanation },
      ...(wire ? wireEvidence(wire, !ownLogDir || options.pcap !== undefined ? pcap : undefined) : {}),
    };
  } finally {
    await Promise.allSettled(started.reverse().map((closable) => closable.close()));
    if (ownLogDir) rmSync(ownLogDir, { recursive: true, force: true });
  }
}

/** When the gateway closed its connection to the target, and when each log line was stamped, on the capture's clock. */
function wireContext(timeline: readonly TimelineEntry[], startedAt: number, logs: readonly string[]) {
  const closed = timeline.find((event) => event.source === 'target-socket' && event.kind === 'socket-closed');
  const logTimes = logs.map((line) => Date.parse(/^\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(line)?.[0] ?? '')).filter((time) => !Number.isNaN(time));
  return { ...(closed ? { gatewayClosedAt: performance.timeOrigin + startedAt + closed.t } : {}), logTimes };
}

/** The target connections the gateway opened and saw closed, by its own socket events: what a capture must have seen. */
function connectionsOf(timeline: readonly TimelineEntry[]): { opened: number; closed: number } {
  const count = (kind: TimelineEntry['kind']) => timeline.filter((event) => event.source === 'target-socket' && event.kind === kind).length;
  return { opened: count('connect-start'), closed: count('socket-closed') };
}

function wireEvidence({ packets, ...wire }: WireEvidence, pcap: string | undefined): Pick<Evidence, 'packets' | 'pcap' | 'wire'> {
  return { packets, ...(pcap ? { pcap } : {}), wire };
}
