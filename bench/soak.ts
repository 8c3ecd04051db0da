/**
 * npm run bench -- soak: every personality in front of every backend, at high concurrency, three
 * rounds each, bounded in time and stopping by itself; traffic only to loopback. Per pair and
 * round: requests answered (a status line arrived) and unanswered (none within the client's limit,
 * which is long enough to tell slowness from loss), and the gateway process's file descriptors and
 * RSS before the round, at its peak and after it. The gateway runs in a process of its own, with
 * short limits (Edge io.timeout.millis 300 ms, Microgateway request_timeout 1 s) so that every
 * request is answered by the target or by a limit, and short idle limits so that its pool of
 * target connections drains after a round and the descriptors can come back. A warm-up round
 * comes first and is not reported.
 */
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { backends, type BackendName } from '../faulty-backends/index.ts';
import type { PersonalityName } from '../harness/gateway/personality.ts';
import { startChild, type BenchChild } from './lib/children.ts';
import { temporaryDir } from './lib/cleanup.ts';
import { mb, readMemory, resetPeak } from './lib/proc.ts';
import { progress, type BenchmarkResult, type Finding } from './lib/report.ts';
import type { ServerReady } from './lib/as-child.ts';

export interface SoakOptions {
  rounds: number;
  /** requests in flight at once */
  concurrency: number;
  /** requests per round */
  requests: number;
  /** the client's limit per request: far above any gateway limit */
  clientLimitMs: number;
  /** how long the descriptors may take to come back after a round */
  settleMs: number;
}

export const defaultSoakOptions: SoakOptions = { rounds: 3, concurrency: 300, requests: 900, clientLimitMs: 10_000, settleMs: 5_000 };

interface Round {
  answered: number;
  unanswered: number;
  fds: { before: number; peak: number; after: number };
  rss: { before: number; peak: number; after: number };
}

const settingsFor = (personality: PersonalityName, logDir: string) =>
  personality === 'edge'
    ? { 'logging.dir': logDir, 'connect.timeout.millis': 300, 'io.timeout.millis': 300, 'keepalive.timeout.millis': 500 }
    : { edgemicro: { port: 0, request_timeout: 1, logging: { dir: logDir, level: 'error' } }, target_idle_timeout: 500, targets: [{ ssl: { client: { rejectUnauthorized: false } } }] };

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** One request; resolves true when a status line arrived within the limit. */
function oneRequest(url: string, agent: http.Agent, limitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: limitMs }, (res) => {
      resolve(true);
      res.resume();
      res.on('error', () => {});
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** `requests` requests, `concurrency` at a time, each on the agent's keep-alive connections. */
async function load(url: string, options: SoakOptions): Promise<{ answered: number; unanswered: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < options.requests) {
      next++;
      if (await oneRequest(url, agent, options.clientLimitMs)) answered++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return { answered, unanswered: options.requests - answered };
}

async function settle(pid: number, limit: number, withinMs: number): Promise<number> {
  const deadline = performance.now() + withinMs;
  let count = fdCount(pid);
  while (count > limit && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = fdCount(pid);
  }
  return count;
}

async function round(url: string, pid: number, options: SoakOptions): Promise<Round> {
  const before = { fds: fdCount(pid), rss: readMemory(pid).rssBytes };
  resetPeak(pid);
  let peakFds = before.fds;
  const sampler = setInterval(() => (peakFds = Math.max(peakFds, fdCount(pid))), 20);
  const counts = await load(`${url}/soak`, options);
  clearInterval(sampler);
  const peakRss = readMemory(pid).peakBytes;
  const fds = await settle(pid, before.fds, options.settleMs);
  return { ...counts, fds: { before: before.fds, peak: peakFds, after: fds }, rss: { before: before.rss, peak: peakRss, after: readMemory(pid).rssBytes } };
}

async function soakPair(personality: PersonalityName, backend: BackendName, options: SoakOptions, logDir: string): Promise<Round[]> {
  const children: BenchChild[] = [];
  try {
    const target = await startChild<ServerReady>('servers/backend.ts', { name: backend }, `backend ${backend}`);
    children.push(target.child);
    const gateway = await startChild<ServerReady>('servers/faultgate.ts', { personality, target: target.ready.url, settings: settingsFor(personality, logDir) }, `${personality} gateway`);
    children.push(gateway.child);
    // A warm-up round, not reported: what the process creates once (the product log, libuv's
    // threads, the heap's working size) is then in the figures before round 1.
    await load(`${gateway.ready.url}/soak`, options);
    await settle(gateway.ready.pid, 0, 1000);
    const rounds: Round[] = [];
    for (let index = 0; index < options.rounds; index++) rounds.push(await round(gateway.ready.url, gateway.ready.pid, options));
    return rounds;
  } finally {
    for (const child of children.reverse()) await child.stop(3000);
  }
}

const fdsCell = (r: Round) => `${r.fds.before} / ${r.fds.peak} / ${r.fds.after}`;
const rssCell = (r: Round) => `${mb(r.rss.before)} / ${mb(r.rss.peak)} / ${mb(r.rss.after)}`.replace(/ MB/g, '');

export async function runSoak(options: SoakOptions = defaultSoakOptions): Promise<BenchmarkResult> {
  const logs = temporaryDir('faultgate-soak-');
  const rows: string[][] = [];
  let unanswered = 0;
  let leaked = 0;
  let growth = 0;
  try {
    for (const backend of Object.keys(backends) as BackendName[]) {
      for (const personality of ['edge', 'microgateway'] as const) {
        progress(`soak: ${personality} → ${backend}`);
        const rounds = await soakPair(personality, backend, options, logs.path);
        for (const [index, r] of rounds.entries()) {
          unanswered += r.unanswered;
          if (r.fds.after > r.fds.before) leaked++;
          rows.push([index === 0 ? `${personality} → ${backend}` : '', String(index + 1), String(r.answered), String(r.unanswered), fdsCell(r), rssCell(r)]);
        }
        const first = rounds[0]?.rss.after ?? 0;
        const last = rounds.at(-1)?.rss.after ?? 0;
        // Growth across rounds: more than 20 % from the first round's end to the last's.
        if (last > first * 1.2) growth++;
      }
    }
  } finally {
    logs.remove();
  }
  const total = rows.length * options.requests;
  const findings: Finding[] = [
    { benchmark: 'soak', measure: `requests unanswered within ${options.clientLimitMs / 1000} s (of ${total}, ${options.concurrency} at a time)`, goal: '0', measured: String(unanswered), met: unanswered === 0 },
    { benchmark: 'soak', measure: `rounds whose descriptors did not come back within ${options.settleMs / 1000} s`, goal: '0', measured: String(leaked), met: leaked === 0 },
    { benchmark: 'soak', measure: 'pairs whose RSS grew > 20 % from round 1 to round 3', goal: '0', measured: String(growth), met: growth === 0 },
  ];
  return {
    findings,
    details: {
      title: `Soak: a warm-up, then ${options.rounds} rounds of ${options.requests} requests, ${options.concurrency} at a time, per personality × backend`,
      head: ['pair', 'round', 'answered', 'unanswered', 'fds before / peak / after', 'RSS MB before / peak / after'],
      rows,
    },
  };
}
