/**
 * The property: whatever request a client sends, and however it leaves, the gateway's process
 * stays up, the gateway still answers a plain GET as before, and no socket is left behind. Run by
 * the bounded fuzz test in `npm test` and, for longer, by `npm run bench -- fuzz`.
 */
import fc from 'fast-check';
import type { BackendName } from '../../faulty-backends/index.ts';
import type { PersonalityName } from '../../harness/gateway/personality.ts';
import { fuzzRequest, type FuzzRequest } from './grammar.ts';
import { plainGet, sendRaw, socketsSettle, startStand, type Pair, type Stand } from './stand.ts';

export interface FuzzOptions {
  personalities: readonly PersonalityName[];
  backends: readonly BackendName[];
  /** generated requests (ignored when timeLimitMs ends the run first) */
  numRuns: number;
  timeLimitMs?: number;
  seed?: number;
  /** how long a reading client waits for its answer */
  waitMs: number;
  /** how long the sockets may take to come back to their count */
  settleMs: number;
}

export interface FuzzResult {
  seed: number;
  runs: number;
  pairs: number;
  /** the first problem, with the request that caused it */
  problem?: string;
}

const shown = (request: FuzzRequest) =>
  `${request.ending}${request.ending === 'read' ? '' : ` at byte ${request.stopAt}`} of ${JSON.stringify(request.bytes.subarray(0, 300).toString('latin1'))}${request.bytes.length > 300 ? `… (${request.bytes.length} bytes)` : ''}`;

/** One generated request through one pair, then the three checks; a sentence when one fails. */
async function fuzzOnce(stand: Stand, pair: Pair, request: FuzzRequest, options: FuzzOptions): Promise<string | undefined> {
  // A plain GET first: the gateway's pool then holds its idle connection to the target (which an
  // idle limit may have closed since), and the count compares like with like.
  await plainGet(pair.gateway.url);
  const before = stand.gatewaySockets();
  await sendRaw(pair.gateway.url, request, options.waitMs);
  if (stand.uncaught.length > 0) return `uncaught ${stand.uncaught[0]?.stack ?? ''}`;
  const status = await plainGet(pair.gateway.url);
  if (stand.uncaught.length > 0) return `uncaught ${stand.uncaught[0]?.stack ?? ''}`;
  if (!pair.baseline.includes(status)) return `a plain GET then got ${status}, not ${[...new Set(pair.baseline)].join(' or ')}`;
  const after = await socketsSettle(() => stand.gatewaySockets(), before, options.settleMs);
  if (after > before) return `${after - before} socket(s) more than before, ${options.settleMs} ms later`;
  return undefined;
}

export async function fuzz(options: FuzzOptions): Promise<FuzzResult> {
  const stand = await startStand(options.personalities, options.backends);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  let runs = 0;
  try {
    const property = fc.asyncProperty(fc.nat({ max: stand.pairs.length - 1 }), fuzzRequest, async (index, request) => {
      runs++;
      const pair = stand.pairs[index]!;
      const problem = await fuzzOnce(stand, pair, request, options);
      if (problem) throw new Error(`${pair.name}: ${problem}\n  request: ${shown(request)}`);
    });
    const details = await fc.check(property, {
      numRuns: options.numRuns,
      seed,
      endOnFailure: true,
      ...(options.timeLimitMs ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
    });
    const error = details.errorInstance;
    return { seed, runs, pairs: stand.pairs.length, ...(details.failed ? { problem: error instanceof Error ? error.message : String(error) } : {}) };
  } finally {
    await stand.close();
  }
}
