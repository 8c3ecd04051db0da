/**
 * The load generator, in its own process: autocannon, driven one job at a time over stdin (the
 * parent sends a short job to warm a target up, then the measured one, and reads the target's CPU
 * time around the latter). Every 2xx response's latency is kept at full (sub-millisecond)
 * resolution, which autocannon's own histogram rounds to whole milliseconds — too coarse for a
 * "p99 within +1 ms" goal.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { runAsChild } from '../lib/as-child.ts';
import { percentile } from '../lib/stats.ts';

export interface LoadJob {
  url: string;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** responses other than 2xx, socket errors and timeouts: any of them spoils the run */
  failures: number;
}

/** The slice of autocannon's API used here (it ships no types). */
interface AutocannonSummary {
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (
  options: { url: string; connections: number; duration: number },
  done: (error: Error | null, summary: AutocannonSummary) => void,
) => EventEmitter;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(url: string, connections: number, duration: number, latencies: number[]): Promise<AutocannonSummary> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration }, (error, summary) => (error ? reject(error) : resolve(summary)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

runAsChild(async () => ({
  ready: { pid: process.pid },
  role: {
    close: async () => {},
    async handle(request: unknown): Promise<LoadResult> {
      const job = request as LoadJob;
      const latencies: number[] = [];
      const summary = await run(job.url, job.connections, job.durationSec, latencies);
      const sorted = Float64Array.from(latencies).sort();
      return {
        requests: sorted.length,
        rps: sorted.length / summary.duration,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        failures: summary.non2xx + summary.errors + summary.timeouts,
      };
    },
  },
}));
