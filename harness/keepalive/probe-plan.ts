/**
 * What a probe will do, decided before anything starts: for each connection of a chain, the real
 * durations of its two sides (scaled as asked), which downstream stands in for its downstream hop,
 * and the four idle gaps at which requests are sent. See probe.ts for how it runs.
 *
 * Time can be scaled: every duration of a connection is multiplied by one factor; the latency and
 * the FIN hold, which stand for the network rather than for settings, are not. A Keep-Alive hint
 * is whole seconds and Node's agent subtracts one real second, so under a scale the probe applies
 * that rule itself, in scaled time, as the downstream's idle limit; at scale 1 the agent's own rule
 * runs.
 */
import type { Chain } from './chain.ts';
import type { Method, RetirePolicy } from './downstream.ts';
import type { EngineVersion } from '../reference/microgateway-core.ts';
import type { RetryPolicy } from './products/index.ts';
import { findNginx } from './real-nginx.ts';
import { createRequire } from 'node:module';

/** undici's version when it is installed (a dependency; should it be missing, undici hops are modelled). */
function installedUndici(): string | undefined {
  try {
    return (createRequire(import.meta.url)('undici/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}
const undiciVersion = installedUndici();
import { hintRetirement } from '../gateway/keep-alive-hint.ts';
import { connectionsOf, type Connection } from './rule.ts';

export const gapNames = ['below', 'at', 'above', 'after'] as const;
export type GapName = (typeof gapNames)[number];

/** A GET at every gap; a POST at the boundary, where a retry policy tells the two apart. */
export const gapsFor: Record<Method, readonly GapName[]> = { GET: gapNames, POST: ['at', 'above'] };
export const methods: readonly Method[] = ['GET', 'POST'];

export interface ProbeSettings {
  /** every duration of the chain is multiplied by this (1: real time) */
  timeScale: number;
  /** instead of timeScale: each connection scaled so that its upstream timeout lasts this many real ms */
  scaleToMs?: number | undefined;
  /** how long the relay holds the upstream's FIN (real ms) */
  holdFinMs: number;
  /** one-way latency of the return trip (real ms) */
  latencyMs: number;
  /** trials per gap */
  repeat: number;
  /** limit on any one request (real ms) */
  requestTimeoutMs: number;
  /** trials start this far apart, so that their requests do not all land in one event-loop turn (real ms) */
  staggerMs: number;
  /** attempts per trial before it is called inconclusive */
  attempts: number;
  /** run Microgateway hops on the real microgateway-core of this version instead of the harness's model */
  engine?: EngineVersion | undefined;
}

export const defaultProbeSettings: ProbeSettings = {
  timeScale: 1,
  holdFinMs: 150,
  latencyMs: 30,
  repeat: 3,
  requestTimeoutMs: 10_000,
  staggerMs: 6,
  attempts: 5,
};

/** A gateway the user runs, pointed at the port the probe's backend listens on. */
export interface ExternalGateway {
  url: string;
  backendPort: number;
  backendHost: string;
}

export type DownstreamModel = 'client' | 'undici' | 'microgateway' | 'microgateway-core' | 'edge' | 'nginx' | 'external';

export interface ConnectionPlan {
  connection: Connection;
  /** the factor this connection's durations are multiplied by */
  scale: number;
  model: DownstreamModel;
  /** what stands in for the downstream hop, and whether it is the product itself */
  runs: { what: string; real: boolean };
  /** what the downstream sends again when a request fails (a model applies it; a real product has its own) */
  retries: RetryPolicy;
  /** real ms */
  upstream: { keepAliveTimeoutMs: number; hintSeconds: number | undefined };
  /** real ms; unused for an external gateway */
  downstream: RetirePolicy;
  /** when the downstream should retire an idle connection, limit or hint (real ms; 0: never reused) */
  retireAfterMs: number;
  /** the idle time at the upstream when each request arrives, in the chain's ms */
  gaps: { name: GapName; idleMs: number }[];
}

export interface ProbePlan {
  chain: Chain;
  settings: ProbeSettings;
  external: ExternalGateway | undefined;
  connections: ConnectionPlan[];
  trials: number;
  /** how long the run should take (real ms) */
  estimatedMs: number;
}

const scaled = (ms: number, scale: number) => Math.max(1, Math.round(ms * scale));

/** Which products run here for real; found once per process. */
let nginxHere: ReturnType<typeof findNginx> | null = null;
export function productsHere(): { nginx: ReturnType<typeof findNginx> } {
  if (nginxHere === null) nginxHere = findNginx();
  return { nginx: nginxHere };
}

function modelFor(connection: Connection, external: ExternalGateway | undefined, engine: EngineVersion | undefined): { model: DownstreamModel; runs: { what: string; real: boolean } } {
  const { product, idleTimeoutMs, honoursHint } = connection.downstream;
  if (external) return { model: 'external', runs: { what: 'your gateway', real: true } };
  const nginx = productsHere().nginx;
  if (product === 'nginx' && nginx) return { model: 'nginx', runs: { what: `nginx ${nginx.version}`, real: true } };
  if (product === 'undici' && undiciVersion) return { model: 'undici', runs: { what: `undici ${undiciVersion}`, real: true } };
  if (product === 'edge') return { model: 'edge', runs: { what: 'edge model', real: false } };
  // The real engine has no idle limit and ignores hints: it stands for a hop that says nothing else.
  if (product === 'microgateway' && engine && idleTimeoutMs?.source === 'default' && !honoursHint.value) {
    return { model: 'microgateway-core', runs: { what: `microgateway-core ${engine}`, real: true } };
  }
  if (product === 'microgateway') return { model: 'microgateway', runs: { what: 'microgateway model', real: false } };
  // Node's agent is the real client for a Node hop; for any other product it stands in with that product's policy.
  if (connection.number === 1 || product === undefined || product === 'node') {
    return { model: 'client', runs: { what: product === 'node' ? 'Node http.Agent' : `${product ?? 'client'} as a Node agent`, real: product === 'node' } };
  }
  return { model: 'microgateway', runs: { what: `${product} as the gateway model`, real: false } };
}

export function planProbe(chain: Chain, settings: ProbeSettings, external?: ExternalGateway): ProbePlan {
  const all = connectionsOf(chain);
  // A user's gateway is the downstream of the chain's last connection: the one to the origin.
  const chosen = external ? all.slice(-1) : all;
  const connections = chosen.map((connection): ConnectionPlan => {
    const scale = settings.scaleToMs ? settings.scaleToMs / connection.upstreamKeepAliveMs : settings.timeScale;
    const { model, runs } = modelFor(connection, external, settings.engine);
    const { hint } = connection;
    const hintApplies = hint.advertised && hint.honoured && hint.seconds !== undefined;
    let downstream: RetirePolicy;
    // undici always takes a hint, and lets it replace its own limit up to keepAliveMaxTimeout: under a
    // scale, that maximum is the scaled limit, so the unscaled hint cannot stretch it.
    const undici =
      model === 'undici'
        ? { thresholdMs: connection.downstream.hintMarginMs, maxMs: scale === 1 ? 600_000 : Math.max(1, scaled(connection.downstreamIdleMs, scale)) }
        : undefined;
    if (scale === 1 || !hintApplies || (hint.seconds ?? 0) <= 1) {
      // The agent's own rule: at scale 1 in full, and "N ≤ 1: no reuse" has no time in it.
      // No limit of its own (Infinity) is the agent's 0: kept until the upstream closes it.
      downstream = { idleTimeoutMs: Number.isFinite(connection.downstreamIdleMs) ? scaled(connection.downstreamIdleMs, scale) : 0, honourKeepAliveHint: hintApplies, undici };
    } else {
      const retires = hintRetirement(hint.seconds ?? 0, connection.downstream.hintMarginMs);
      downstream = { idleTimeoutMs: scaled(Math.min(connection.downstreamIdleMs, retires), scale), honourKeepAliveHint: false, undici: undici && { ...undici, maxMs: scaled(Math.min(connection.downstreamIdleMs, retires), scale) } };
    }
    const U = connection.upstreamKeepAliveMs;
    return {
      connection,
      scale,
      model,
      runs,
      retries: connection.retries,
      upstream: { keepAliveTimeoutMs: scaled(U, scale), hintSeconds: hint.advertised ? hint.seconds : undefined },
      downstream,
      retireAfterMs: connection.effectiveIdleMs === 0 ? 0 : scaled(connection.effectiveIdleMs, scale),
      gaps: [
        { name: 'below', idleMs: Math.round(U / 2) },
        { name: 'at', idleMs: U },
        { name: 'above', idleMs: Math.round(U + settings.holdFinMs / 2 / scale) },
        { name: 'after', idleMs: Math.round(U + (settings.holdFinMs + 2 * settings.latencyMs) / scale) },
      ],
    };
  });
  const trials = connections.length * (gapsFor.GET.length + gapsFor.POST.length) * settings.repeat;
  const oneTrial = (plan: ConnectionPlan) => plan.upstream.keepAliveTimeoutMs + settings.holdFinMs + 3 * settings.latencyMs + 200;
  const estimatedMs = external
    ? connections.reduce((sum, plan) => sum + oneTrial(plan) * (gapsFor.GET.length + gapsFor.POST.length) * settings.repeat, 0)
    : Math.max(...connections.map(oneTrial)) + trials * settings.staggerMs + 500;
  return { chain, settings, external, connections, trials, estimatedMs };
}

