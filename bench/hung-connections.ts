/**
 * Hung-connection scale: N requests held at once through the edge gateway to
 * swallow-client-hello, a TLS target that never answers the Client Hello. Each must come back as
 * the documented 502 when io.timeout.millis expires, whatever N is. Reported: the gateway's peak
 * RSS per held request (VmHWM above the RSS it had before the load), the spread of 502 arrivals
 * around the limit, and how many target connections the backend saw open at once (so that "N held"
 * is checked, not assumed).
 *
 * Backend, gateway and client are three processes. Each held request costs the gateway two
 * descriptors (the client's socket and the target's), so N is capped by the hard limit on open
 * files when the machine's is below 2 N; the table says so when it happens.
 *
 * The rate is what makes the timing goal about the gateway's timers rather than the machine: each
 * hung request costs the gateway about 1 ms of CPU and the client and backend some more, all on
 * the same cores. Requests are opened at a rate the machine sustains, and the limit is just long
 * enough that all N are sent before the first expires, so the 502s come due at that same rate.
 */
import { edgeFaults, faultBody } from '../harness/gateway/edge.ts';
import type { HungJob, HungResult } from './clients/hung-client.ts';
import type { ServerReady } from './lib/as-child.ts';
import { startChild, type BenchChild } from './lib/children.ts';
import { temporaryDir } from './lib/cleanup.ts';
import { cpuMs, mb, openFilesHardLimit, readMemory, resetPeak } from './lib/proc.ts';
import { progress, type BenchmarkResult, type Finding } from './lib/report.ts';
import type { FailureTimings } from './servers/faultgate.ts';

export interface HungOptions {
  /** requests asked for, one run each; capped by the open-files limit */
  counts: number[];
  /** requests opened per second */
  ratePerSec: number;
}

export const defaultHungOptions: HungOptions = { counts: [1000, 10_000], ratePerSec: 300 };

const RSS_GOAL_BYTES = 300 * 1024 * 1024;
const RSS_GOAL_COUNT = 10_000;
const WINDOW_MS = 50;
// Descriptors the gateway holds besides the sockets: stdio, the log file, epoll, the loader's pipes.
const FD_RESERVE = 100;

/** io.timeout.millis for N at this rate: the time to send all N, 8 % (at least 1 s) more, whole seconds. */
export function limitFor(n: number, ratePerSec: number): number {
  const sendMs = (n / ratePerSec) * 1000;
  return Math.ceil((sendMs + Math.max(1000, sendMs * 0.08)) / 1000) * 1000;
}

interface Measured {
  n: number;
  limitMs: number;
  result: HungResult;
  baselineBytes: number;
  peakBytes: number;
  /** target connections the backend held at once */
  held: number;
  /** the gateway's CPU time per request, ms */
  cpuPerRequestMs: number;
  /** the gateway's JavaScript heap when all requests should be held, less before the load */
  heapGrowthBytes: number;
  /** lateness as the gateway saw it, from its request handler to its answer */
  inside: FailureTimings;
}

async function measure(n: number, limitMs: number, ratePerSec: number): Promise<Measured> {
  const logDir = temporaryDir('faultgate-bench-hung-');
  const children: BenchChild[] = [];
  try {
    const backend = await startChild<ServerReady>('servers/backend.ts', { name: 'swallow-client-hello' }, 'backend swallow-client-hello');
    children.push(backend.child);
    const settings = { 'io.timeout.millis': limitMs, 'logging.dir': logDir.path };
    const gateway = await startChild<ServerReady>('servers/faultgate.ts', { personality: 'edge', target: backend.ready.url, settings }, 'faultgate edge');
    children.push(gateway.child);
    const client = await startChild<{ pid: number }>('clients/hung-client.ts', {}, 'hung client');
    children.push(client.child);

    const sendMs = (n / ratePerSec) * 1000;
    const job: HungJob = {
      url: `${gateway.ready.url}/hung`,
      n,
      limitMs,
      status: edgeFaults.badGateway.status,
      body: faultBody(edgeFaults.badGateway),
      ratePerSec,
      windowMs: WINDOW_MS,
      graceMs: 15_000,
    };
    // No warm-up: it would cost a whole limit, and what the first failure loads (~1–2 MB) is
    // small beside N held requests.
    const pid = gateway.ready.pid;
    const heapBefore = (await gateway.child.request<NodeJS.MemoryUsage>('memory', 5000)).heapUsed;
    const baselineBytes = readMemory(pid).rssBytes;
    const cpuBefore = cpuMs(pid);
    resetPeak(pid);
    const answered = client.child.request<HungResult>(job, limitMs + sendMs + 60_000);
    // Halfway between the last request sent and the first limit expiring, every request is held.
    await new Promise((resolve) => setTimeout(resolve, sendMs + (limitMs - sendMs) / 2));
    const heapHeld = (await gateway.child.request<NodeJS.MemoryUsage>('memory', limitMs)).heapUsed;
    const result = await answered;
    const peakBytes = readMemory(pid).peakBytes;
    const cpuPerRequestMs = (cpuMs(pid) - cpuBefore) / n;
    const held = await backend.child.request<number>('peak-connections', 5000);
    const inside = await gateway.child.request<FailureTimings>({ failureTimings: { windowMs: WINDOW_MS } }, 5000);
    return { n, limitMs, result, baselineBytes, peakBytes, held, cpuPerRequestMs, heapGrowthBytes: heapHeld - heapBefore, inside };
  } finally {
    // The gateway may still be closing thousands of sockets: give it time before SIGKILL.
    await Promise.all(children.reverse().map((child) => child.stop(20_000)));
    logDir.remove();
  }
}

const plus = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(1)}`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

function row(m: Measured): string[] {
  const { result, inside, n } = m;
  return [
    n.toLocaleString('en'),
    `${m.limitMs}`,
    `${(result.sendSpreadMs / 1000).toFixed(1)} s`,
    `${m.held}`,
    `${result.documented}`,
    mb(m.baselineBytes),
    mb(m.peakBytes),
    kb((m.peakBytes - m.baselineBytes) / n),
    kb(m.heapGrowthBytes / n),
    `${(m.cpuPerRequestMs * 1000).toFixed(0)} µs`,
    `${plus(result.minMs)} / ${plus(result.p50Ms)} / ${plus(result.p99Ms)} / ${plus(result.maxMs)}`,
    percent(result.withinWindow, n),
    `${plus(inside.minMs)} / ${plus(inside.p50Ms)} / ${plus(inside.p99Ms)} / ${plus(inside.maxMs)}`,
    percent(inside.withinWindow, n),
  ];
}

/** The issue's goals; the timing goal is judged at the client, the gateway's own figure beside it. */
function goals(asked: number, capped: string | undefined, m: Measured): Finding[] {
  const { result, inside, n } = m;
  const label = `N=${asked.toLocaleString('en')}`;
  const other = Object.entries(result.other).map(([key, value]) => `${value} ${key}`).join(', ');
  const within = result.withinWindow / n;
  const findings: Finding[] = [
    {
      benchmark: 'hung connections',
      measure: `${label}: answered with the documented 502`,
      goal: 'every request, all held at once',
      measured: `${result.documented}/${n}, ${m.held} held at once${other ? `; ${other}` : ''}`,
      met: result.documented === n && m.held === n,
      ...(capped ? { note: capped } : {}),
    },
    {
      benchmark: 'hung connections',
      measure: `${label}: 502 within +${WINDOW_MS} ms of the limit`,
      goal: '≥ 99 %',
      measured:
        `${percent(result.withinWindow, n)} at the client (p99 ${plus(result.p99Ms)}, max ${plus(result.maxMs)} ms); ` +
        `${percent(inside.withinWindow, n)} inside the gateway (p99 ${plus(inside.p99Ms)} ms)`,
      met: within >= 0.99,
    },
  ];
  if (asked === RSS_GOAL_COUNT) {
    // When the descriptor cap held fewer, the per-request figure is carried to the goal's count.
    const atGoal = m.baselineBytes + ((m.peakBytes - m.baselineBytes) / n) * RSS_GOAL_COUNT;
    findings.push({
      benchmark: 'hung connections',
      measure: `${label}: gateway peak RSS`,
      goal: '< 300 MB',
      measured: capped ? `${mb(m.peakBytes)} at ${n}; ${mb(atGoal)} at 10 000` : mb(m.peakBytes),
      met: (capped ? atGoal : m.peakBytes) < RSS_GOAL_BYTES,
      ...(capped ? { note: 'extrapolated at the measured cost per request' } : {}),
    });
  }
  return findings;
}

export async function runHungConnections(options: HungOptions = defaultHungOptions): Promise<BenchmarkResult> {
  const fdCap = Math.floor((openFilesHardLimit() - FD_RESERVE) / 2);
  const findings: Finding[] = [];
  const rows: string[][] = [];
  for (const asked of options.counts) {
    const n = Math.min(asked, fdCap);
    const capped = n < asked ? `${n} sent: the hard limit of open files allows ${fdCap}` : undefined;
    const limitMs = limitFor(n, options.ratePerSec);
    progress(`hung connections: ${n} requests at ${options.ratePerSec}/s, io.timeout.millis=${limitMs}`);
    const measured = await measure(n, limitMs, options.ratePerSec);
    report(measured);
    rows.push(row(measured));
    findings.push(...goals(asked, capped, measured));
  }
  return {
    findings,
    details: {
      title:
        `Hung connections: edge gateway → swallow-client-hello, requests opened at ${options.ratePerSec}/s, limit = time to send all + 8 %. ` +
        'Client: 502 arrival − its request written − limit (min / p50 / p99 / max ms); inside: the same from the gateway’s request handler to its answer; ' +
        `on time: within [limit − 1 ms, limit + ${WINDOW_MS} ms] (Node's timers count whole milliseconds)`,
      head: ['N', 'limit ms', 'sent in', 'held at once', 'documented 502', 'RSS before', 'peak RSS', 'RSS / request', 'JS heap / request', 'CPU / request', 'client ms', `client ≤ +${WINDOW_MS}`, 'inside ms', `inside ≤ +${WINDOW_MS}`],
      rows,
    },
  };
}

function report(m: Measured): void {
  progress(
    `hung connections: ${m.result.documented}/${m.n} documented 502s, all sent within ${Math.round(m.result.sendSpreadMs)} ms, ` +
      `${m.held} held at once, p99 ${plus(m.result.p99Ms)} ms (inside ${plus(m.inside.p99Ms)}), ` +
      `${percent(m.result.withinWindow, m.n)} within +${WINDOW_MS} ms, peak ${mb(m.peakBytes)}, ${(m.cpuPerRequestMs * 1000).toFixed(0)} µs CPU/request`,
  );
}
