/**
 * The probe: proves a connection's verdict with traffic on real sockets. For each connection of a
 * chain, the upstream hop is an idle-closer with its keep-alive timeout behind a FIN-delay relay
 * and a return-trip latency (upstream.ts); the downstream hop is a keep-alive client (first hop)
 * or the harness's gateway with its idle limit and hint policy, or the user's own gateway.
 *
 * Each trial warms one pooled connection, leaves it idle, and sends again at one of four moments
 * on the upstream's clock, counted from when it sent the warm-up response:
 *   below  half its keep-alive timeout: the connection is open on both sides;
 *   at     the instant its idle timer closes the connection (sent from that very event);
 *   above  while its FIN is held in flight (half the hold later);
 *   after  once the FIN has reached the downstream (hold + two trips later).
 * A request the downstream puts on a connection the upstream has closed fails: 502 from a gateway,
 * "socket hang up" for a client. Any failure is a race; none is safe. Planning (and time scaling)
 * is in probe-plan.ts, one trial in attempt.ts.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { now } from '../trace.ts';
import { runTrial, type Trial, type TrialOutcome } from './attempt.ts';
import { clientDownstream, gatewayDownstream, PROBE_PARAMETER, undiciDownstream, urlDownstream, withRetries, type Downstream, type Method } from './downstream.ts';
import { defaultProbeSettings, gapNames, gapsFor, methods, type ConnectionPlan, type ExternalGateway, type GapName, type ProbePlan, type ProbeSettings } from './probe-plan.ts';
import { LagWatch } from './lag-watch.ts';
import { startMicrogatewayCore } from '../reference/microgateway-core.ts';
import { startNginx } from './real-nginx.ts';
import { isSafe } from './rule.ts';
import { startUpstream, UpstreamWatch, type Upstream } from './upstream.ts';

export * from './probe-plan.ts';

/** Finds the trial's id in the request target the backend recorded. */
const ID_PATTERN = new RegExp(`[?&]${PROBE_PARAMETER}=([\\w.-]+)`);

export interface GapResult {
  name: GapName;
  method: Method;
  idleMs: number;
  requests: number;
  /** 502s (or client errors, for a first hop that is a plain client) */
  failures: number;
  /** requests that met the upstream's close and were answered by the downstream's retry */
  hidden: number;
  /** trials that proved nothing: the warm-up failed, an unexpected status, no answer in time */
  inconclusive: number;
  /** attempts run again because this machine, not the chain, disturbed their timing */
  retried: number;
  /** what the failures and inconclusive trials saw, each once */
  notes: string[];
}

export type ProbeVerdict = 'safe' | 'race' | 'inconclusive';

export interface ConnectionResult {
  plan: ConnectionPlan;
  /** the GETs, one per gap */
  gaps: GapResult[];
  /** the POSTs at the boundary */
  posts: GapResult[];
  verdict: ProbeVerdict;
  /** what the retries hid: "race, hidden by retries for GET, exposed for POST", or undefined when safe */
  exposure: string | undefined;
  /** whether the probe's verdict is the check's */
  agrees: boolean;
}

export interface ProbeResult {
  chain: string;
  settings: ProbeSettings;
  connections: ConnectionResult[];
  verdict: ProbeVerdict;
  agrees: boolean;
  elapsedMs: number;
}

/** Probes one chain. */
export async function runProbe(plan: ProbePlan, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ProbeResult> {
  const [result] = await runProbes([plan], onProgress, signal);
  return result as ProbeResult;
}

/**
 * Probes several chains in one schedule (the first plan's settings pace it): everything is
 * started first, then the trials of every chain run interleaved and staggered, then everything is
 * closed. Setup never disturbs timing, and chains probed together do not pile up their requests.
 * Aborted (`signal`), it stops starting anything, closes all it started (nginx among it) and
 * rejects with the signal's reason.
 */
export async function runProbes(plans: readonly ProbePlan[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ProbeResult[]> {
  const started = now();
  const pace = plans[0]?.settings ?? defaultProbeSettings;
  const external = plans.some((plan) => plan.external);
  const logDir = mkdtempSync(join(tmpdir(), 'faultgate-keepalive-'));
  const upstreams: Upstream[] = [];
  const watches: UpstreamWatch[] = [];
  const downstreams: Downstream[] = [];
  const trials: (Trial & { order: number })[] = [];
  const lag = new LagWatch();
  let closing = false;
  try {
    for (const plan of plans) {
      for (const connectionPlan of plan.connections) {
        const { settings } = plan;
        signal?.throwIfAborted();
        const upstream = await startUpstream(
          { keepAliveTimeoutMs: connectionPlan.upstream.keepAliveTimeoutMs, hintSeconds: connectionPlan.upstream.hintSeconds, holdFinMs: settings.holdFinMs, latencyMs: settings.latencyMs },
          plan.external ? { port: plan.external.backendPort, host: plan.external.backendHost } : {},
        );
        upstreams.push(upstream);
        const watch = new UpstreamWatch(upstream.backend, (target) => ID_PATTERN.exec(target)?.[1]);
        watches.push(watch);
        const start = async () => {
          signal?.throwIfAborted();
          const downstream = await startDownstream(connectionPlan, upstream.url, logDir, settings, plan.external);
          downstreams.push(downstream);
          // Started while the probe was being closed: closed too, here.
          if (closing) await downstream.close();
          signal?.throwIfAborted();
          return downstream;
        };
        for (const method of methods) {
          for (const gap of gapsFor[method]) {
            for (let repeat = 1; repeat <= settings.repeat; repeat++) {
              // The first attempt's downstream is started now, before any trial runs.
              const first = await start();
              let used = false;
              const downstream = () => (used ? start() : ((used = true), Promise.resolve(first)));
              const id = `c${connectionPlan.connection.number}-${method.toLowerCase()}-${gap}-${repeat}`;
              const order = repeat * (gapNames.length + 2) + gapNames.indexOf(gap) + (method === 'POST' ? gapNames.length : 0);
              trials.push({ id, plan: connectionPlan, settings, gap, method, downstream, watch, lag, offsetMs: 0, order, signal });
            }
          }
        }
      }
    }
    // Interleave chains, connections and gaps, so that neighbours in time differ.
    trials.sort((a, b) => a.order - b.order);
    // Every trial waits on the signal at once, and the probe itself once more.
    if (signal) setMaxListeners(Math.max(10, trials.length + 1), signal);
    trials.forEach((trial, index) => (trial.offsetMs = external ? 0 : index * pace.staggerMs));

    let done = 0;
    const outcomes = new Map<Trial, TrialOutcome>();
    const run = async (trial: Trial) => {
      outcomes.set(trial, await runTrial(trial));
      onProgress?.(++done, trials.length);
    };
    onProgress?.(0, trials.length);
    const all: Promise<unknown> = external
      ? // One gateway's pool serves every trial: one at a time, or they would share connections.
        (async () => {
          for (const trial of trials) {
            signal?.throwIfAborted();
            await run(trial);
          }
        })()
      : Promise.all(trials.map(run));
    await untilAborted(all, signal);
    return plans.map((plan) => summarise(plan, trials, outcomes, now() - started));
  } finally {
    closing = true;
    lag.stop();
    for (const watch of watches) watch.dispose();
    await Promise.all([...downstreams.map((downstream) => downstream.close()), ...upstreams.map((upstream) => upstream.close())]);
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** `work`, or the signal's reason as soon as it is aborted (the trials left running fail once everything is closed). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const aborted = () => reject(signal.reason);
    if (signal.aborted) aborted();
    signal.addEventListener('abort', aborted, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted));
  });
}

function summarise(plan: ProbePlan, trials: readonly Trial[], outcomes: ReadonlyMap<Trial, TrialOutcome>, elapsedMs: number): ProbeResult {
  const connections = plan.connections.map((connectionPlan): ConnectionResult => {
    const result = (method: Method) =>
      connectionPlan.gaps
        .filter(({ name }) => gapsFor[method].includes(name))
        .map(({ name, idleMs }): GapResult => {
          const mine = trials.filter((trial) => trial.plan === connectionPlan && trial.gap === name && trial.method === method).map((trial) => outcomes.get(trial) as TrialOutcome);
          return {
            name,
            method,
            idleMs,
            requests: mine.length,
            failures: mine.filter((outcome) => outcome.result === 'failure').length,
            hidden: mine.filter((outcome) => outcome.result === 'hidden').length,
            inconclusive: mine.filter((outcome) => outcome.result === 'inconclusive').length,
            retried: mine.reduce((sum, outcome) => sum + (outcome.attempts ?? 1) - 1, 0),
            notes: [...new Set(mine.flatMap((outcome) => (outcome.note ? [outcome.note] : [])))],
          };
        });
    const gaps = result('GET');
    const posts = result('POST');
    const all = [...gaps, ...posts];
    const verdict: ProbeVerdict = all.some((gap) => gap.failures + gap.hidden > 0) ? 'race' : all.some((gap) => gap.inconclusive > 0) ? 'inconclusive' : 'safe';
    return {
      plan: connectionPlan,
      gaps,
      posts,
      verdict,
      exposure: verdict === 'race' ? probedExposure(gaps, posts) : undefined,
      agrees: verdict !== 'inconclusive' && (verdict === 'safe') === isSafe(connectionPlan.connection.verdict),
    };
  });
  const verdict: ProbeVerdict = connections.some((c) => c.verdict === 'race') ? 'race' : connections.some((c) => c.verdict === 'inconclusive') ? 'inconclusive' : 'safe';
  return { chain: plan.chain.file, settings: plan.settings, connections, verdict, agrees: connections.every((c) => c.agrees), elapsedMs };
}

/**
 * What the traffic showed at the boundary: a method whose requests failed is exposed; one whose
 * requests met the close but were answered by a retry is hidden. GETs at/above beside the POSTs.
 */
function probedExposure(gaps: readonly GapResult[], posts: readonly GapResult[]): string {
  const boundary = gaps.filter((gap) => gapsFor.POST.includes(gap.name));
  const shows = (results: readonly GapResult[]) =>
    results.some((gap) => gap.failures > 0)
      ? 'exposed'
      : results.some((gap) => gap.hidden > 0)
        ? 'hidden'
        : results.every((gap) => gap.inconclusive === gap.requests)
          ? 'unknown'
          : 'unseen';
  const get = shows(boundary);
  const post = shows(posts);
  if (get === 'exposed' && post === 'exposed') return 'race, exposed for GET and POST (no retries)';
  if (get === 'hidden' && post === 'hidden') return 'race, hidden by retries for GET and POST';
  if (get === 'hidden' && post === 'exposed') return 'race, hidden by retries for GET, exposed for POST';
  if (get === 'exposed' && post === 'hidden') return 'race, hidden by retries for POST, exposed for GET';
  const words = { exposed: 'exposed', hidden: 'hidden by retries', unseen: 'not met at the boundary', unknown: 'unproven on this machine' };
  return `race, GET ${words[get]}, POST ${words[post]}`;
}

async function startDownstream(plan: ConnectionPlan, upstreamUrl: string, logDir: string, settings: ProbeSettings, external: ExternalGateway | undefined): Promise<Downstream> {
  const timeoutMs = settings.requestTimeoutMs;
  switch (plan.model) {
    case 'client':
      return withRetries(clientDownstream(upstreamUrl, plan.downstream, timeoutMs), plan.retries);
    case 'undici':
      // The real client: its own hint rule and its own retries, if any.
      return undiciDownstream(upstreamUrl, plan.downstream, timeoutMs);
    case 'edge':
    case 'microgateway':
      return withRetries(await gatewayDownstream(plan.model, upstreamUrl, plan.downstream, logDir, timeoutMs), plan.retries);
    case 'nginx': {
      // The real product: its own idle limit (nginx takes milliseconds) and its own retries.
      const nginx = await startNginx({ upstreamUrl, idleTimeoutMs: plan.downstream.idleTimeoutMs, retries: plan.retries, timeoutMs });
      return { ...urlDownstream(nginx.url, timeoutMs, () => nginx.close()), failuresLogged: () => nginx.failuresLogged() };
    }
    case 'microgateway-core': {
      // The real engine in a child process: its target agent, its 502, its own (absent) retries.
      const engine = await startMicrogatewayCore({ version: settings.engine ?? '3.1.6', target: upstreamUrl });
      return urlDownstream(`${engine.url}/`, timeoutMs, () => engine.close());
    }
    case 'external':
      return urlDownstream((external as ExternalGateway).url, timeoutMs);
  }
}

