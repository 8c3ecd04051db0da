/**
 * The few statistics the benchmarks report: nearest-rank percentiles and medians. Medians of
 * repeated, interleaved runs are what keep one noisy moment on a shared machine from deciding a ratio.
 */

/** Nearest-rank percentile of values sorted ascending (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

/** The middle value, or the mean of the two middle ones: with six rounds, nearest rank would always take the lower. */
export function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Node's timers count whole milliseconds: one may fire up to 1 ms before its high-resolution due time.
const TIMER_SLACK_MS = 1;

/** How many offsets from a limit are on time: in [−1 ms, +windowMs]. */
export function onTime(offsets: ArrayLike<number>, windowMs: number): number {
  let count = 0;
  for (let i = 0; i < offsets.length; i++) if (offsets[i]! >= -TIMER_SLACK_MS && offsets[i]! <= windowMs) count++;
  return count;
}

