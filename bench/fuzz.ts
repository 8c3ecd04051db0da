/**
 * npm run bench -- fuzz: the fuzzer of test/fuzz for longer than npm test allows, and in front of
 * every backend, those whose answers wait for a gateway limit included. Bounded by time
 * (--fuzz-seconds, default 120); the seed is printed so that a finding can be replayed
 * (--fuzz-seed, or FAULTGATE_FUZZ_SEED with the test).
 */
import { backends, type BackendName } from '../faulty-backends/index.ts';
import { fuzz } from '../test/fuzz/property.ts';
import type { BenchmarkResult } from './lib/report.ts';

export interface FuzzBenchOptions {
  seconds: number;
  seed?: number;
}

export async function runFuzz(options: FuzzBenchOptions): Promise<BenchmarkResult> {
  const started = performance.now();
  const result = await fuzz({
    personalities: ['edge', 'microgateway'],
    backends: Object.keys(backends) as BackendName[],
    numRuns: Number.MAX_SAFE_INTEGER,
    timeLimitMs: options.seconds * 1000,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    waitMs: 2500,
    settleMs: 3000,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  return {
    findings: [
      {
        benchmark: 'fuzz',
        measure: `generated requests, ${result.pairs} personality × backend pairs, seed ${result.seed}`,
        goal: 'no crash, wedge or leaked socket',
        measured: result.problem ? `after ${result.runs} requests: ${result.problem}` : `${result.runs} requests in ${seconds} s, nothing found`,
        met: result.problem === undefined,
      },
    ],
  };
}
