/**
 * The faultgate gateway under test, alone in its process, exactly as the harness builds it.
 * Options: { personality, target, settings } as createGateway takes them; it always listens on an
 * ephemeral loopback port.
 *
 * Requests it answers: "memory" (process.memoryUsage(): how much of the RSS is JavaScript heap) and
 * { failureTimings: { windowMs } } (how late each failure was answered after its limit, as the
 * gateway itself saw it from the moment its request handler ran: this leaves out the time a
 * request waited in the accept queue, which the client's figure includes).
 */
import { createGateway } from '../../harness/gateway/gateway.ts';
import type { PersonalityName } from '../../harness/gateway/personality.ts';
import { childOptions, runAsChild, type ServerReady } from '../lib/as-child.ts';
import { onTime, percentile } from '../lib/stats.ts';

interface Options {
  personality: PersonalityName;
  target: string;
  settings?: unknown;
}

export interface FailureTimings {
  count: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** failures answered in [limit − 1 ms, limit + windowMs] */
  withinWindow: number;
}

runAsChild<ServerReady>(async () => {
  const { personality, target, settings } = childOptions<Options>();
  const gateway = await createGateway({ personality, target, settings, port: 0 });
  // Only failures are recorded, so the healthy path pays nothing for this.
  let late: number[] = [];
  gateway.on('failure', (failure) => late.push(failure.elapsedMs - (failure.limit?.ms ?? 0)));

  const handle = async (request: unknown): Promise<NodeJS.MemoryUsage | FailureTimings> => {
    if (request === 'memory') return process.memoryUsage();
    if (typeof request === 'object' && request !== null && 'failureTimings' in request) {
      const { windowMs } = (request as { failureTimings: { windowMs: number } }).failureTimings;
      const sorted = Float64Array.from(late).sort();
      late = [];
      return {
        count: sorted.length,
        minMs: sorted[0] ?? NaN,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? NaN,
        withinWindow: onTime(sorted, windowMs),
      };
    }
    throw new Error(`unknown request ${JSON.stringify(request)}`);
  };
  return { ready: { url: gateway.url, pid: process.pid }, role: { close: () => gateway.close(), handle } };
});
