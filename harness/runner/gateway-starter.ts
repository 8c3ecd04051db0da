/**
 * What the runner needs of a gateway, whichever one runs a scenario: the harness's own (the
 * mimic, mimic-starter.ts) or a real engine (harness/reference/scenario-gateway.ts). The runner
 * knows only this interface; whoever runs scenarios (the CLI, a test) hands it a starter.
 * A leaf: it imports types only.
 */
import type { Failure } from '../gateway/failures.ts';
import type { FailureOutcome, PersonalityName } from '../gateway/personality.ts';
import type { TraceSink } from '../trace.ts';

/** A gateway started for one run. */
export interface ScenarioGateway {
  url: string;
  /** the host:port the gateway is configured to reach */
  target: string;
  logFile: string;
  /** one sentence: what is configured */
  description: string;
  /** the product-format lines written so far; waits until `expected` are there (a real engine writes asynchronously) */
  lines(expected: number): Promise<string[]>;
  /** what the gateway's classifier named last (undefined for a gateway without one) */
  lastFailure(): Failure | undefined;
  /** all the product did about the last failure (absent for the real engine) */
  lastOutcome?(): FailureOutcome | undefined;
  close(): Promise<void>;
}

export interface GatewayStartRequest {
  personality: PersonalityName;
  target: string;
  settings: Record<string, unknown>;
  trace: TraceSink;
}

export interface GatewayStarter {
  /** "mimic", or what names the engine (microgateway-core@3.1.6); evidence carries it */
  readonly name: string;
  /** whether it is the harness's own gateway, which has a classifier and a description of its own */
  readonly mimic: boolean;
  start(request: GatewayStartRequest): Promise<ScenarioGateway>;
}
