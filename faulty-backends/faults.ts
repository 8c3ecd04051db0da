/**
 * The ways a target (or the path to it) can fail in one phase of an exchange: the failure model's
 * vocabulary. A leaf module, so that backends and personalities can name a failure without
 * importing the model, which imports every backend.
 */
import type { FailurePhase } from '../harness/gateway/failures.ts';

export const faults = [
  'dns-failure',
  'refused',
  'silence',
  'bad-certificate',
  'fin',
  'rst',
  'not-http',
  'invalid-status-line',
  'bad-header',
  'conflicting-content-length',
  'bad-chunk-size',
  'body-past-content-length',
  'body-on-204',
  'content-encoding-on-204',
  '405-without-allow',
  'long-status-line',
  'duplicate-header',
  'headers-over-limit',
  'body-over-limit',
  'false-encoding',
  'request-body-over-limit',
] as const;
export type Fault = (typeof faults)[number];

/** One failure of the model: where the exchange had got to, and what the target did there. */
export interface ModelFailure {
  phase: FailurePhase;
  fault: Fault;
  /** the answer is valid HTTP: only a product's own policy (Edge's playbooks) refuses it; Node's parser and Microgateway pass it on */
  policyRefusal?: true;
}

/** A failure's name, "phase × fault": the key of the model's rows and of the personalities' answers. */
export type FailureKey = `${FailurePhase} × ${Fault}`;

export function failureKey(failure: Pick<ModelFailure, 'phase' | 'fault'>): FailureKey {
  return `${failure.phase} × ${failure.fault}`;
}
