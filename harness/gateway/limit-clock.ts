/**
 * One coarse clock per target agent for the two limits that follow a connection from request to
 * request: the io limit (silence while a request is on it) and the idle limit (time in the pool).
 *
 * A socket's own inactivity timer would have to be re-armed twice per request (io on, idle back),
 * and Node's socket.setTimeout() makes a new Timeout and a new bound function each time, then
 * refreshes that timer on every read and write. Here a request costs two field writes and a Set
 * insertion; one interval per agent, while it watches anything, reads each watched connection's
 * byte counters, and a connection whose counters have not moved for its limit has expired.
 *
 * Resolution: the clock ticks every `resolutionFor(limits)` ms, so a limit expires between its
 * value and that value plus two ticks (one to see the last bytes move, one to see the silence
 * last), never before it. The connect and handshake limits are wall-clock timers of their own
 * (connection.ts), not on this clock.
 */
import { now } from '../trace.ts';

/** What the clock watches: a connection that checks its own counters against its own limit. */
export interface Watched {
  /** called on every tick with the tick's time; unwatches itself when its limit expires */
  check(at: number): void;
}

const FINEST_MS = 5;
const COARSEST_MS = 20;

/** A hundredth of the shortest limit, between 5 and 20 ms: 20 ms late at most for 1 s, 40 ms for a minute. */
export function resolutionFor(limitsMs: readonly (number | undefined)[]): number {
  const shortest = Math.min(...limitsMs.filter((ms): ms is number => ms !== undefined && ms > 0));
  if (!Number.isFinite(shortest)) return COARSEST_MS;
  return Math.min(COARSEST_MS, Math.max(FINEST_MS, Math.floor(shortest / 100)));
}

export class LimitClock {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly resolutionMs: number) {}

  watch(item: Watched): void {
    this.watched.add(item);
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.resolutionMs);
    // The limits of pooled connections must not keep a process alive.
    this.timer.unref();
  }

  unwatch(item: Watched): void {
    // The interval stops on the next tick that finds nothing to watch, not here: a connection
    // that goes back and forth between one request and the pool does not restart it every time.
    this.watched.delete(item);
  }

  private tick(): void {
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const at = now();
    for (const item of this.watched) item.check(at);
  }
}
