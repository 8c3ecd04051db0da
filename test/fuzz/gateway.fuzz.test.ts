/**
 * The fuzzer, bounded for `npm test`: generated requests (test/fuzz/grammar.ts) through both
 * personalities in front of every backend that answers at once, each followed by the checks in
 * test/fuzz/stand.ts. The seed is printed on failure and can be set (FAULTGATE_FUZZ_SEED) to
 * replay a run; FAULTGATE_FUZZ_RUNS sets the number of requests. Backends that answer only when a
 * limit expires, and longer runs, are `npm run bench -- fuzz`.
 */
import { describe, expect, it } from 'vitest';
import { backends, type BackendName } from '../../faulty-backends/index.ts';
import { failureOf } from '../../harness/stage/plan.ts';
import { silentBackends } from '../backends/registry.ts';
import { fuzz } from './property.ts';

/**
 * Backends whose every answer waits for a gateway limit (the failure model's silences): too slow
 * for npm test, run by the bench.
 */
export const slowBackends: readonly BackendName[] = silentBackends(Object.keys(backends) as BackendName[], failureOf);

describe('fuzz: no request ends the process, wedges a gateway or leaks a socket', () => {
  it('generated requests through both personalities, every backend that answers at once', async () => {
    const env = process.env;
    const result = await fuzz({
      personalities: ['edge', 'microgateway'],
      backends: (Object.keys(backends) as BackendName[]).filter((name) => !slowBackends.includes(name)),
      numRuns: Number(env.FAULTGATE_FUZZ_RUNS ?? 200),
      // Bounded by time as well, so that a loaded machine runs fewer requests, not a longer test.
      timeLimitMs: Number(env.FAULTGATE_FUZZ_SECONDS ?? 4) * 1000,
      ...(env.FAULTGATE_FUZZ_SEED ? { seed: Number(env.FAULTGATE_FUZZ_SEED) } : {}),
      waitMs: 600,
      settleMs: 1500,
    });
    // Thrown whole: an assertion's message would cut the problem and its request short.
    if (result.problem) throw new Error(`seed ${result.seed} (FAULTGATE_FUZZ_SEED=${result.seed} replays it): ${result.problem}`);
    expect(result.runs).toBeGreaterThan(0);
    console.log(`fuzz: ${result.runs} requests through ${result.pairs} pairs, seed ${result.seed}`);
  }, 60_000);
});
