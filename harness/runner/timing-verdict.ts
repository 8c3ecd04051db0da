/**
 * Was the answer given at the gateway limit the scenario names? Judged where that time is decided.
 *
 * A 502 "at io.timeout.millis" is the gateway's own timer firing. So the verdict reads the
 * gateway's evidence first: which limit fired, the value it was armed with, and that its timer did
 * not run out before that value (measured by the agent that armed it). How much longer it ran is
 * not judged: a timer is late only when its event loop was held up (a busy machine, other work in
 * the same process), never by the product's doing, and a bound on it was a bound on the machine
 * (twenty handshake limits due at once, among the other test files, ran 272 ms over). Then how
 * long after reading the request the gateway answered, by its own clock when it is the harness's
 * gateway, which also counts what happens before it arms its timer (the TCP connect, the Client
 * Hello). The client's clock is read only when there is no such record (a real engine): it adds
 * the answer's way back, which a crowded event loop stretches to seconds (ten 502s due at once
 * among eighty other runs, on a machine whose cores other processes kept busy: 1.35 s here), so it
 * gets a wide allowance. An answer before the limit, or one decided by anything but the limit,
 * fails either way.
 */

/** What a busy machine may add around the limit: before the timer is armed, and on the way back to the client. */
export const CLIENT_SLACK_MS = 1000;

/** A timer fires when the event loop gets to it; `performance.now()` rounding can make it look 1 ms early. */
const EARLY_ROUNDING_MS = 1;

export interface AnsweredAt {
  /** the gateway setting whose value the answer must come at */
  setting: string;
  /** how much later than the limit the gateway may answer, beyond what a busy machine adds (CLIENT_SLACK_MS) */
  toleranceMs: number;
}

/** The limit that fired, as the harness's gateway recorded it. */
export interface FiredLimit {
  name: string;
  ms: number;
  /** how long the timer really ran, when the gateway measured it */
  firedAfterMs?: number | undefined;
}

export interface TimingObservation {
  /** the client's measure: from writing its request to reading the answer */
  clientElapsedMs: number;
  /** the harness gateway's classification; absent for a gateway that is not the harness's own */
  failure?: { kind: string; description: string; limit?: FiredLimit | undefined; /** its clock: from reading the request to the failure it answered */ elapsedMs?: number | undefined } | undefined;
}

/** The window in which a duration measured up to the limit (a log line's age) must lie. */
export function limitWindow(limitMs: number, observation: TimingObservation): { min: number; max: number } {
  return { min: limitMs - EARLY_ROUNDING_MS, max: Math.ceil(observation.clientElapsedMs) + EARLY_ROUNDING_MS };
}

/** Each way the answer's timing departs from the limit, in a sentence; [] when it came at the limit. */
export function judgeTiming(expected: AnsweredAt, limitMs: number, observation: TimingObservation): string[] {
  const problems: string[] = [];
  const { failure } = observation;
  if (failure) {
    const limit = failure.limit;
    if (!limit) {
      problems.push(`expected the answer to be decided by ${expected.setting} (${limitMs} ms), but no gateway limit fired: ${failure.description}`);
    } else if (limit.ms !== limitMs) {
      problems.push(`the gateway's ${limit.name} limit fired, armed with ${limit.ms} ms, but ${expected.setting} is ${limitMs} ms`);
    } else if (limit.firedAfterMs !== undefined && limit.firedAfterMs < limitMs - EARLY_ROUNDING_MS) {
      problems.push(`the gateway's ${limit.name} limit (${expected.setting}=${limitMs} ms) fired after ${Math.round(limit.firedAfterMs)} ms, before its value`);
    }
  }
  const byGateway = failure?.elapsedMs;
  const elapsed = byGateway ?? observation.clientElapsedMs;
  const answered = byGateway === undefined ? 'the answer came' : 'the gateway answered';
  const latest = limitMs + expected.toleranceMs + CLIENT_SLACK_MS;
  if (elapsed < limitMs - EARLY_ROUNDING_MS) {
    problems.push(`${answered} ${Math.round(elapsed)} ms after the request, before ${expected.setting} (${limitMs} ms) could have run out`);
  } else if (elapsed > latest) {
    problems.push(`${answered} ${Math.round(elapsed)} ms after the request, far later than ${expected.setting} (${limitMs} ms; at most ${latest} ms allowed)`);
  }
  return problems;
}
