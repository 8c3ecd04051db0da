/**
 * Healthy-path throughput and latency: the same healthy backend fronted by (a) a bare http-proxy
 * server with a keep-alive agent — the baseline —, (b) the faultgate gateway in each personality
 * with its logging on, and (c) the real microgateway-core engine in both installed releases.
 *
 * Every proxy, the backend and autocannon each run in their own process. The variants are measured
 * in short rounds, each visiting every variant once in a rotated order, with the baseline measured
 * right before and right after each of them: a variant is compared with the mean of the two
 * baseline measurements around it, taken seconds apart, so that a noisy moment on the shared
 * machine falls on both sides of a ratio. A ratio is the median of the per-round ratios.
 * Beside requests per second, the proxy's own CPU time per request is read from /proc: on a
 * machine where other work competes for the cores it is the steadier figure of what a proxy costs.
 */
import { join } from 'node:path';
import { startMicrogatewayCore, type EngineVersion } from '../harness/reference/microgateway-core.ts';
import type { LoadJob, LoadResult } from './clients/load.ts';
import type { ServerReady } from './lib/as-child.ts';
import { startChild, type BenchChild } from './lib/children.ts';
import { temporaryDir } from './lib/cleanup.ts';
import { cpuMs, mb, readMemory } from './lib/proc.ts';
import { progress, type BenchmarkResult, type Finding } from './lib/report.ts';
import { median } from './lib/stats.ts';

export interface ThroughputOptions {
  rounds: number;
  warmupSec: number;
  durationSec: number;
  connections: number;
}

/** Each personality, with logging on and every limit armed, against bare http-proxy in the same run. */
const RPS_GOAL = 0.97;
const P99_GOAL_MS = 0.5;

export const defaultThroughputOptions: ThroughputOptions = { rounds: 8, warmupSec: 0.5, durationSec: 1, connections: 16 };

interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface Variant {
  key: string;
  role: 'baseline' | 'gateway' | 'engine';
  start(target: string, logDir: string): Promise<Running>;
}

interface Measurement extends LoadResult {
  cpuPerRequestUs: number;
}

/** A variant's measurement in one round, with the baseline's just before and just after it. */
interface Bracketed {
  measured: Measurement;
  before: Measurement;
  after: Measurement;
}

async function childServer(script: string, options: unknown, label: string): Promise<Running> {
  const { child, ready } = await startChild<ServerReady>(script, options, label);
  return { url: ready.url, pid: ready.pid, stop: () => child.stop() };
}

const engine = (version: EngineVersion): Variant => ({
  key: `microgateway-core ${version}`,
  role: 'engine',
  async start(target, logDir) {
    // The launcher runs the engine in a child process of its own; its pid is the engine's.
    const gateway = await startMicrogatewayCore({ version, target, settings: { edgemicro: { logging: { level: 'info', dir: logDir } } } });
    return { url: gateway.url, pid: gateway.pid, stop: () => gateway.close() };
  },
});

const variants: Variant[] = [
  { key: 'http-proxy (baseline)', role: 'baseline', start: (target) => childServer('servers/http-proxy.ts', { target }, 'http-proxy') },
  {
    key: 'faultgate edge',
    role: 'gateway',
    start: (target, logDir) => childServer('servers/faultgate.ts', { personality: 'edge', target, settings: { 'logging.dir': logDir } }, 'faultgate edge'),
  },
  {
    key: 'faultgate microgateway',
    role: 'gateway',
    start: (target, logDir) =>
      childServer('servers/faultgate.ts', { personality: 'microgateway', target, settings: { edgemicro: { logging: { level: 'info', dir: logDir } } } }, 'faultgate microgateway'),
  },
  engine('3.3.7'),
  engine('3.1.6'),
];

async function measureOnce(load: BenchChild, server: Running, options: ThroughputOptions): Promise<Measurement> {
  const job = (durationSec: number): LoadJob => ({ url: server.url, connections: options.connections, durationSec });
  const timeoutMs = options.durationSec * 1000 + 30_000;
  await load.request<LoadResult>(job(options.warmupSec), timeoutMs);
  const cpuBefore = cpuMs(server.pid);
  const result = await load.request<LoadResult>(job(options.durationSec), timeoutMs);
  return { ...result, cpuPerRequestUs: ((cpuMs(server.pid) - cpuBefore) * 1000) / result.requests };
}

export async function runThroughput(options: ThroughputOptions = defaultThroughputOptions): Promise<BenchmarkResult> {
  const logDir = temporaryDir('faultgate-bench-');
  const started: { stop(): Promise<void> }[] = [];
  try {
    // Idle pooled connections are kept for the whole run, so that no proxy races the backend's close.
    const backend = await childServer('servers/backend.ts', { name: 'healthy', settings: { keepAliveTimeoutMs: 600_000 } }, 'backend healthy');
    started.push(backend);
    const running = new Map<Variant, Running>();
    for (const variant of variants) {
      const server = await variant.start(backend.url, join(logDir.path, variant.key.replace(/\W+/g, '-')));
      started.push(server);
      running.set(variant, server);
    }
    const { child: load } = await startChild<{ pid: number }>('clients/load.ts', {}, 'autocannon');
    started.push(load);

    const baseline = variants.find((variant) => variant.role === 'baseline')!;
    const others = variants.filter((variant) => variant !== baseline);
    const baselineRuns: Measurement[] = [];
    const bracketed = new Map<Variant, Bracketed[]>(others.map((variant) => [variant, []]));
    const measure = async (variant: Variant, round: number): Promise<Measurement> => {
      const result = await measureOnce(load, running.get(variant)!, options);
      progress(
        `throughput round ${round + 1}/${options.rounds}: ${variant.key.padEnd(24)} ${String(Math.round(result.rps)).padStart(5)} req/s, ` +
          `p99 ${result.p99Ms.toFixed(2)} ms, ${Math.round(result.cpuPerRequestUs)} µs CPU/request`,
      );
      return result;
    };
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order so that no variant always comes first or last in a round; the baseline
      // before each and after the last.
      let before = await measure(baseline, round);
      baselineRuns.push(before);
      for (let i = 0; i < others.length; i++) {
        const variant = others[(i + round) % others.length]!;
        const measured = await measure(variant, round);
        const after = await measure(baseline, round);
        baselineRuns.push(after);
        bracketed.get(variant)!.push({ measured, before, after });
        before = after;
      }
    }
    const peakRss = new Map(variants.map((variant) => [variant, readMemory(running.get(variant)!.pid).peakBytes]));
    return summarise(baselineRuns, bracketed, peakRss, options);
  } finally {
    await Promise.all(started.reverse().map((server) => server.stop()));
    logDir.remove();
  }
}

const signed = (value: number, digits = 2) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

function summarise(baselineRuns: Measurement[], bracketed: Map<Variant, Bracketed[]>, peakRss: Map<Variant, number>, options: ThroughputOptions): BenchmarkResult {
  const baseline = variants.find((variant) => variant.role === 'baseline')!;
  const engines = variants.filter((variant) => variant.role === 'engine');
  const rounds = [...Array(options.rounds).keys()];
  const at = (variant: Variant, round: number) => bracketed.get(variant)![round]!;
  // Each against the mean of the baseline measured just before and just after it, then the median over rounds.
  const versusBaseline = (v: Variant, f: (run: Measurement) => number, compare: (value: number, base: number) => number) =>
    median(rounds.map((r) => compare(f(at(v, r).measured), (f(at(v, r).before) + f(at(v, r).after)) / 2)));
  const rpsRatio = (v: Variant) => versusBaseline(v, (run) => run.rps, (value, base) => value / base);
  const p99Delta = (v: Variant) => versusBaseline(v, (run) => run.p99Ms, (value, base) => value - base);
  const cpuRatio = (v: Variant) => versusBaseline(v, (run) => run.cpuPerRequestUs, (value, base) => value / base);
  // Against the faster engine of each round: the stricter comparison.
  const engineRatio = (v: Variant) => median(rounds.map((r) => at(v, r).measured.rps / Math.max(...engines.map((e) => at(e, r).measured.rps))));

  const findings: Finding[] = [];
  for (const variant of variants.filter((v) => v.role === 'gateway')) {
    const ratio = rpsRatio(variant);
    const delta = p99Delta(variant);
    const versus = engineRatio(variant);
    findings.push(
      { benchmark: 'throughput', measure: `${variant.key} / http-proxy, req/s`, goal: `≥ ${RPS_GOAL}`, measured: ratio.toFixed(2), met: ratio >= RPS_GOAL },
      { benchmark: 'throughput', measure: `${variant.key} − http-proxy, p99`, goal: `≤ +${P99_GOAL_MS} ms`, measured: `${signed(delta)} ms`, met: delta <= P99_GOAL_MS },
      { benchmark: 'throughput', measure: `${variant.key} / microgateway-core, req/s`, goal: '≥ 1.5', measured: versus.toFixed(2), met: versus >= 1.5, note: 'vs the faster release' },
      { benchmark: 'throughput', measure: `${variant.key} / http-proxy, CPU per request`, goal: '—', measured: cpuRatio(variant).toFixed(2), met: undefined },
    );
  }
  const runsOf = (variant: Variant): Measurement[] => (variant === baseline ? baselineRuns : bracketed.get(variant)!.map((run) => run.measured));
  const spoiled = variants.filter((variant) => runsOf(variant).some((result) => result.failures > 0)).map((variant) => variant.key);
  if (spoiled.length > 0) {
    findings.push({ benchmark: 'throughput', measure: 'runs without errors or non-2xx', goal: 'all', measured: `errors in: ${spoiled.join(', ')}`, met: false });
  }

  const rows = variants.map((variant) => {
    const runs = runsOf(variant);
    const isBase = variant === baseline;
    return [
      variant.key,
      Math.round(median(runs.map((r) => r.rps))).toString(),
      median(runs.map((r) => r.p50Ms)).toFixed(2),
      median(runs.map((r) => r.p99Ms)).toFixed(2),
      `${Math.round(median(runs.map((r) => r.cpuPerRequestUs)))} µs`,
      isBase ? '1.00' : rpsRatio(variant).toFixed(2),
      isBase ? '—' : signed(p99Delta(variant)),
      isBase ? '1.00' : cpuRatio(variant).toFixed(2),
      mb(peakRss.get(variant) ?? NaN),
    ];
  });
  return {
    findings,
    details: {
      title:
        `Healthy path: autocannon, ${options.connections} connections, ${options.rounds} interleaved rounds of ` +
        `${options.warmupSec} s warm-up + ${options.durationSec} s per variant, the baseline just before and after each ` +
        `(medians; a ratio is the median over rounds of a variant against the mean of the two baseline runs around it)`,
      head: ['Variant', 'req/s', 'p50 ms', 'p99 ms', 'CPU/request', 'req/s ratio', 'p99 Δ ms', 'CPU ratio', 'peak RSS'],
      rows,
    },
  };
}
