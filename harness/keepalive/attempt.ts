/**
 * One trial of the probe: warm a pooled connection, leave it idle, send at the trial's gap, and
 * judge what came back. An outcome the model did not expect is believed only if this process was
 * not stalled meanwhile (see surprise()); otherwise the attempt proves nothing and is run again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { now } from '../trace.ts';
import type { Downstream, Method, Outcome } from './downstream.ts';
import type { ConnectionPlan, DownstreamModel, GapName, ProbeSettings } from './probe-plan.ts';
import type { LagWatch } from './lag-watch.ts';
import type { UpstreamWatch } from './upstream.ts';

export interface Trial {
  id: string;
  plan: ConnectionPlan;
  settings: ProbeSettings;
  gap: GapName;
  method: Method;
  /** a fresh downstream for each attempt: a pool that served one attempt is not clean for the next */
  downstream: () => Promise<Downstream>;
  watch: UpstreamWatch;
  lag: LagWatch;
  offsetMs: number;
  /** aborted when the probe is stopped: every wait of the trial ends at once */
  signal?: AbortSignal | undefined;
}

/** hidden: the request met the upstream's close, and the downstream's retry answered in its place */
export type TrialOutcome = { result: 'ok' | 'hidden' | 'failure' | 'inconclusive' | 'disturbed'; note?: string; attempts?: number };

/**
 * The longest stall that cannot reorder the events that decide a trial: the closest of them are a
 * return trip apart, so a third of it (and never more than 10 ms).
 */
const harmlessStallMs = (settings: ProbeSettings) => Math.min(10, settings.latencyMs / 3);

/** How much longer a gateway elsewhere is given to act on a FIN before the "after" request. */
const EXTERNAL_FIN_ALLOWANCE_MS = 100;

/**
 * Resolves at a moment on the monotonic clock; at once (as a microtask) when it has passed.
 * Rejects once `signal` is aborted, leaving no timer behind.
 */
function until(at: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const wait = at - now();
  return wait > 0 ? sleep(wait, undefined, { signal }) : Promise.resolve();
}

/** The promise's value, or undefined if it has not settled by `at`; leaves no timer behind. */
function settleBy<T>(promise: Promise<T>, at: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, at - now()))));
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs a trial until one attempt ran as modelled: an attempt whose deciding events this machine
 * put out of order proves nothing and is run again, a few times, and then the trial is called
 * inconclusive rather than guessed.
 */
export async function runTrial(trial: Trial): Promise<TrialOutcome> {
  const { settings } = trial;
  await until(now() + trial.offsetMs, trial.signal);
  let last: TrialOutcome = { result: 'inconclusive' };
  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    // A busy machine needs a moment: retries wait longer each time, so they do not arrive in a crowd.
    if (attempt > 1) await until(now() + attempt * 25 * Math.max(1, settings.staggerMs), trial.signal);
    last = await runAttempt(trial, await trial.downstream(), attempt === 1 ? trial.id : `${trial.id}-a${attempt}`, settings);
    if (last.result !== 'disturbed') return { ...last, attempts: attempt };
  }
  // What the last attempt saw comes first: it may say more than the stall does (a refused target).
  return { result: 'inconclusive', note: `${last.note ?? 'no outcome'}; every attempt met a stall of this machine, rerun when it is less busy`, attempts: settings.attempts };
}

async function runAttempt(trial: Trial, downstream: Downstream, id: string, settings: ProbeSettings): Promise<TrialOutcome> {
  const { plan } = trial;
  const warm = await downstream.send(id);
  if (warm.kind !== 'ok') {
    // A warm-up can meet a connection an earlier trial left pooled; after a stall, that proves nothing.
    const stall = trial.lag.worstBetween(now() - plan.upstream.keepAliveTimeoutMs, now());
    return { result: stall > harmlessStallMs(settings) ? 'disturbed' : 'inconclusive', note: `warm-up request: ${describeOutcome(warm)}` };
  }
  const exchange = trial.watch.exchange(id);
  if (exchange?.respondedAt === undefined) {
    return { result: 'inconclusive', note: downstream.pool ? 'the warm-up request never reached the backend' : "the gateway answered but never reached the probe's backend: point its target at the backend's port" };
  }
  const respondedAt = exchange.respondedAt;
  const U = plan.upstream.keepAliveTimeoutMs;
  const dueAt = respondedAt + (trial.gap === 'below' ? U / 2 : U);
  // Open the connection to a gateway shortly before the request is due.
  await until(dueAt - Math.min(50, U / 4), trial.signal);
  const fire = await downstream.prepare(id, trial.method);
  const loggedBefore = downstream.failuresLogged?.() ?? 0;

  if (trial.gap === 'below') {
    await until(dueAt, trial.signal);
  } else {
    // The upstream's own idle close, or (when the downstream retired the connection first) its due time.
    const closed = await settleBy(exchange.closed, dueAt + settings.requestTimeoutMs);
    const closedAt = closed?.by === 'upstream' ? closed.at : dueAt;
    if (trial.gap === 'above') await until(closedAt + settings.holdFinMs / 2, trial.signal);
    else if (trial.gap === 'after') {
      // "After" means the downstream has seen the FIN and dropped the connection, however late: a
      // downstream running here says so; for a gateway elsewhere, allow it a generous moment more.
      await until(closedAt + settings.holdFinMs + 2 * settings.latencyMs + (downstream.pool ? 0 : EXTERNAL_FIN_ALLOWANCE_MS), trial.signal);
      if (downstream.pool) await settleBy(downstream.pool.firstConnectionGone, now() + settings.requestTimeoutMs);
    } else await until(closedAt, trial.signal); // 'at': straight from the close event, before any other timer runs
  }
  const answer = await fire();
  const logged = (downstream.failuresLogged?.() ?? 0) > loggedBefore;
  const outcome = judgeOutcome(answer.kind === 'ok' && logged ? { ...answer, retried: true } : answer, plan.model);
  const problem = surprise(trial, settings, respondedAt, outcome);
  return problem ? { result: 'disturbed', note: problem } : outcome;
}

/**
 * Whether the outcome is one the model did not expect and this process was stalled while the
 * trial ran. The model puts the events that decide a trial where the settings and the modelled
 * return trip say: the upstream closes at its keep-alive timeout after its response, the
 * downstream retires the connection at its idle limit after the response reached it, the FIN
 * arrives a hold and a trip after the close, and the request goes at the gap. A stall delays
 * timers, reads and writes, and can reorder those events; then the surprise proves nothing. A
 * surprise on a quiet machine is a finding, and stands.
 */
function surprise(trial: Trial, settings: ProbeSettings, respondedAt: number, outcome: TrialOutcome): string | undefined {
  if (outcome.result !== 'ok' && outcome.result !== 'failure' && outcome.result !== 'hidden') return undefined;
  const { plan, gap } = trial;
  const { latencyMs: trip, holdFinMs: hold } = settings;
  const closes = respondedAt + plan.upstream.keepAliveTimeoutMs;
  const retires = respondedAt + trip + plan.retireAfterMs;
  const finArrives = closes + hold + trip;
  const sends = gap === 'below' ? respondedAt + plan.upstream.keepAliveTimeoutMs / 2 : gap === 'at' ? closes : gap === 'above' ? closes + hold / 2 : finArrives;
  // A request that meets the close fails, or is answered by the downstream's retry.
  const modelMeets = sends >= closes && retires > sends && finArrives > sends;
  if (modelMeets === (outcome.result === 'failure' || outcome.result === 'hidden')) return undefined;
  const stall = trial.lag.worstBetween(respondedAt - trip, now());
  if (stall <= harmlessStallMs(settings)) return undefined;
  return `a ${outcome.result === 'ok' ? 'success' : 'failure'} the model did not expect, while this process stalled ${Math.round(stall)} ms`;
}

function judgeOutcome(outcome: Outcome, model: DownstreamModel): TrialOutcome {
  switch (outcome.kind) {
    case 'ok':
      return outcome.retried ? { result: 'hidden', note: 'a request met the close and was sent again on a new connection' } : { result: 'ok' };
    case 'error':
      // A plain client sees the upstream's close itself; a gateway that hangs up instead of answering 502 failed the same way.
      return { result: 'failure', note: model === 'client' || model === 'undici' ? `client error: ${describeOutcome(outcome)}` : `the gateway hung up: ${describeOutcome(outcome)}` };
    case 'status':
      return outcome.status === 502 ? { result: 'failure', note: describeOutcome(outcome) } : { result: 'inconclusive', note: describeOutcome(outcome) };
    case 'timeout':
      return { result: 'inconclusive', note: describeOutcome(outcome) };
  }
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'ok':
      return String(outcome.status);
    case 'status':
      return `${outcome.status} ${outcome.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120)}`.trim();
    case 'error':
      return `${outcome.message}${outcome.code ? ` (${outcome.code})` : ''}`;
    case 'timeout':
      return 'no answer in time';
  }
}
