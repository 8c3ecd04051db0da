/**
 * Notices when this process was stalled: a short interval timer that records every tick that came
 * late. A stall delays everything at once — timers, reads, writes — and so can reorder the few
 * events that decide a probe's trial; the probe asks this watch before it believes an outcome the
 * model did not expect.
 */
import { now } from '../trace.ts';

const PERIOD_MS = 2;

export class LagWatch {
  private readonly stalls: { from: number; to: number }[] = [];
  private last = now();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const at = now();
      if (at - this.last > PERIOD_MS * 2) this.stalls.push({ from: this.last, to: at });
      this.last = at;
    }, PERIOD_MS);
    // The watch never keeps a process alive on its own.
    this.timer.unref();
  }

  /** The longest stall (ms beyond the timer's period) that overlapped [from, to]. */
  worstBetween(from: number, to: number): number {
    let worst = 0;
    for (const stall of this.stalls) {
      if (stall.to >= from && stall.from <= to) worst = Math.max(worst, stall.to - stall.from - PERIOD_MS);
    }
    return worst;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
