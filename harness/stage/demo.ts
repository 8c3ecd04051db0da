/**
 * What `faultgate up` needs to know of each backend and each personality, declared by them, so that
 * the stage derives its rows without naming either: a backend says how it is demonstrated (its
 * settings, a FIN-delay relay in front, the requests to type); a personality says what it answers
 * to each failure of the model and whether its product log gets a line for it. A leaf module: the
 * backends and the personalities import it, the stage reads them.
 */
import type { FailureKey, ModelFailure } from '../../faulty-backends/faults.ts';

/** The stage's timings, in the short or the products' own values (see stand-up.ts). */
export interface StageTimings {
  /** Edge's io.timeout.millis: the handshake limit of the Edge document */
  handshakeLimitMs: number;
  /** how long a keep-alive target keeps an idle connection */
  idleCloseMs: number;
  /** how long the FIN-delay relay holds a target's FIN in flight: wide, so a human's second curl lands inside it */
  finHoldMs: number;
  /** Microgateway's request_timeout (0: none, its default) */
  requestTimeoutS: number;
}

/**
 * The requests a person types to see the failure: one; two, the second once the target has
 * closed the idle connection; or a loop that counts the answers of a race.
 */
export type DemoRequests =
  | { kind: 'one' }
  | { kind: 'two-apart'; gapS(t: StageTimings): number }
  | { kind: 'loop'; count: number; gapS(t: StageTimings): string };

/**
 * A second row for the same backend, as the products meet it: no relay in front, and the
 * personality's demonstration settings without the stage's limits.
 */
export interface DemoVariant {
  /** what the row says it is, e.g. "natural race" */
  name: string;
  /** the end of its log folder's name: <personality>-<backend>-<key> */
  key: string;
  requests: DemoRequests;
  reproduces(t: StageTimings): string;
}

/** What a backend declares for `up`; every field is optional (a plain one-request row). */
export interface BackendDemo {
  /** its settings on the stage, from the stage's timings (default: its own defaults) */
  settings?(t: StageTimings): Record<string, unknown>;
  /** it sits behind the FIN-delay relay, which holds its FIN for finHoldMs */
  behindFinDelayRelay?: true;
  /** default: one request */
  requests?: DemoRequests;
  /**
   * The failure a request to it meets, as a failure of the model (default: the model's row for it
   * with no settings); 'none' for a backend that does not fail.
   */
  failure?: FailureKey | 'none';
  /** its row's text, given the personality's answer to its failure (absent: the answer itself) */
  reproduces?(answer: string | undefined, t: StageTimings): string;
  variants?: readonly DemoVariant[];
}

/** A personality's answer to one failure: status and payload as short text, and, when it helps, why. */
export interface DemoAnswer {
  answer: string;
  why?: string;
}

/** What a personality declares for `up`. */
export interface PersonalityDemo {
  /** the request path its demonstrations send (the document's own, where it has one) */
  path: string;
  /** the settings every demonstration of it starts from */
  settings: Record<string, unknown>;
  /** its answer to each failure of the model that the stage shows (absent: the README's table gives it) */
  answers: Partial<Record<FailureKey, (t: StageTimings) => DemoAnswer>>;
  /** whether its product log gets a line for the failure (undefined: one outside the model) */
  logs(failure: ModelFailure | undefined, t: StageTimings): boolean;
}
