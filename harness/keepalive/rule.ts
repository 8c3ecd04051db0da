/**
 * The Microgateway document's rule, applied to each connection of a chain: "each downstream hop
 * should be lower than each upstream hop" — the side that sends requests must retire an idle
 * connection strictly before the side that receives them closes it, or a request can cross the
 * closing FIN in flight and the downstream answers 502.
 *
 * A Keep-Alive: timeout=N hint changes the downstream's retirement only when the upstream sends it
 * and the downstream honours it, by Node's rule: retired at N s − 1 s, and never reused at all
 * when N ≤ 1. Equal values are a race: the downstream's timer starts one trip after the
 * upstream's, so near the limit its requests reach a connection already closed.
 */
import { hintRetirement } from '../gateway/keep-alive-hint.ts';
import type { Chain, Hop } from './chain.ts';
import { fixesFor, saferIdleMs, type FixStep } from './fix.ts';
import type { RetryPolicy, Sourced } from './products/index.ts';

export { saferIdleMs };

export const verdicts = ['safe', 'safe-by-hint', 'equal', 'race'] as const;
export type Verdict = (typeof verdicts)[number];

export const isSafe = (verdict: Verdict): boolean => verdict === 'safe' || verdict === 'safe-by-hint';

export interface Connection {
  /** 1-based, client side first */
  number: number;
  downstream: Hop;
  upstream: Hop;
  /** how long the downstream keeps the idle connection by its own limit */
  downstreamIdleMs: number;
  /** how long the upstream keeps it */
  upstreamKeepAliveMs: number;
  hint: {
    advertised: boolean;
    seconds: number | undefined;
    honoured: boolean;
    /** when the hint retires the connection (0: never reused), if it applies */
    retiresAtMs: number | undefined;
  };
  /** when the downstream actually retires the connection: the sooner of its limit and the hint */
  effectiveIdleMs: number;
  verdict: Verdict;
  /** upstream − effective downstream: how much sooner the downstream retires (negative: later) */
  marginMs: number;
  /** what the downstream sends again when a request meets the upstream's close */
  retries: RetryPolicy;
  /** the fixes, each in one product's own setting, both directions where both exist; empty when safe */
  fixes: FixStep[];
  /** the fixes as sentences; undefined when safe */
  fix: string | undefined;
}

export function connectionsOf(chain: Chain): Connection[] {
  return chain.hops.slice(0, -1).map((downstream, index) => judge(index + 1, downstream, chain.hops[index + 1] as Hop));
}

export function judge(number: number, downstream: Hop, upstream: Hop): Connection {
  const downstreamIdleMs = required(downstream.idleTimeoutMs);
  const upstreamKeepAliveMs = required(upstream.keepAliveTimeoutMs);
  const advertised = upstream.advertisesHint.value;
  const seconds = advertised ? upstream.hintSeconds?.value : undefined;
  const honoured = downstream.honoursHint.value;
  const retiresAtMs = advertised && honoured && seconds !== undefined ? hintRetirement(seconds, downstream.hintMarginMs) : undefined;
  const effectiveIdleMs = retiresAtMs === undefined ? downstreamIdleMs : Math.min(downstreamIdleMs, retiresAtMs);

  let verdict: Verdict;
  if (downstreamIdleMs < upstreamKeepAliveMs) verdict = 'safe';
  else if (effectiveIdleMs < upstreamKeepAliveMs) verdict = 'safe-by-hint';
  else if (effectiveIdleMs === upstreamKeepAliveMs) verdict = 'equal';
  else verdict = 'race';

  const marginMs = upstreamKeepAliveMs - effectiveIdleMs;
  const connection = { number, downstream, upstream, downstreamIdleMs, upstreamKeepAliveMs, effectiveIdleMs, verdict, marginMs };
  const fixes = isSafe(verdict) ? [] : fixesFor(connection);
  return {
    ...connection,
    hint: { advertised, seconds, honoured, retiresAtMs },
    retries: downstream.retries.value,
    fixes,
    fix: fixes.length ? fixes.map((each) => each.text).join(' ') : undefined,
  };
}

/** What the downstream sends again, as a table cell: "GET", "GET, POST" or "none". */
export const retriedText = (retries: RetryPolicy) => [retries.get ? 'GET' : '', retries.post ? 'POST' : ''].filter(Boolean).join(', ') || 'none';

/**
 * A race as the client sees it once the downstream's retry policy has acted: a request that meets
 * the upstream's close and is sent again on a new connection succeeds; one that is not fails.
 */
export function exposure(connection: Pick<Connection, 'verdict' | 'retries'>): string | undefined {
  if (isSafe(connection.verdict)) return undefined;
  const { get, post } = connection.retries;
  if (get && post) return 'race, hidden by retries for GET and POST';
  if (get) return 'race, hidden by retries for GET, exposed for POST';
  if (post) return 'race, hidden by retries for POST, exposed for GET';
  return 'race, exposed for GET and POST (no retries)';
}

function required<T>(value: Sourced<T> | undefined): T {
  // loadChain() guarantees both values for every connection; this only satisfies the types.
  if (!value) throw new Error('a hop value the chain loader should have required is missing');
  return value.value;
}

/** Every value a connection uses that was not given in the chain or its file, with its authority. */
export function defaultedValues(connections: readonly Connection[]): { hop: string; field: string; value: number | boolean; from: string }[] {
  const seen = new Set<string>();
  const out: { hop: string; field: string; value: number | boolean; from: string }[] = [];
  const add = (hop: Hop, field: string, value: Sourced<number | boolean> | undefined) => {
    const key = `${hop.index}:${field}`;
    if (!value || value.source !== 'default' || seen.has(key)) return;
    seen.add(key);
    out.push({ hop: hop.name, field, value: value.value, from: value.from });
  };
  for (const { downstream, upstream, hint } of connections) {
    add(downstream, 'idle_timeout_ms', downstream.idleTimeoutMs);
    add(downstream, 'honours_keep_alive_hint', downstream.honoursHint);
    add(upstream, 'keep_alive_timeout_ms', upstream.keepAliveTimeoutMs);
    add(upstream, 'advertises_keep_alive_hint', upstream.advertisesHint);
    if (hint.advertised) add(upstream, 'keep_alive_hint_seconds', upstream.hintSeconds);
  }
  return out;
}
