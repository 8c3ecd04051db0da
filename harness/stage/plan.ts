/**
 * The stage's rows before anything listens: for every backend × personality, what a request
 * reproduces, the requests to type, and whether the product log gets a line. Everything here is
 * read from the declarations (each backend's `demo`, each personality's `demo`, the failure model),
 * so that adding a backend adds its rows with no change to this file.
 */
import { failureModel, rowName } from '../../faulty-backends/failure-model.ts';
import { failureKey, type Fault, type FailureKey, type ModelFailure } from '../../faulty-backends/faults.ts';
import { backends, type BackendDefinition, type BackendName } from '../../faulty-backends/index.ts';
import type { FailurePhase } from '../gateway/failures.ts';
import { personalities } from '../gateway/personalities.ts';
import { personalityNames, type PersonalityName } from '../gateway/personality.ts';
import type { DemoRequests, DemoVariant, StageTimings } from './demo.ts';

export interface PlannedRow {
  personality: PersonalityName;
  backend: BackendName;
  /** a second row of the same backend (no relay, no stage limits) */
  variant?: DemoVariant;
  reproduces: string;
  requests: DemoRequests;
  /** the product writes a line for what a request to it meets */
  logs: boolean;
}

/** The backends in the registry's order, the order of the table. */
export const stageBackends = (): BackendName[] => Object.keys(backends) as BackendName[];

const definitionOf = (name: BackendName): BackendDefinition => backends[name];

/** What a request to a backend meets: a failure of the model's vocabulary, 'none' (the control), or undefined (one the model lacks). */
export type StageFailure = ModelFailure | 'none' | undefined;

/** The model's row of that name (it says whether the answer is a policy refusal), else the bare phase and fault. */
function failureNamed(key: FailureKey): ModelFailure {
  const [phase, fault] = key.split(' × ') as [FailurePhase, Fault];
  return failureModel.find((row) => rowName(row) === key) ?? { phase, fault };
}

/**
 * The failure a request to the backend meets: the one it declares, else the model's row for it
 * with its default settings.
 */
export function failureOf(name: BackendName): StageFailure {
  const declared = definitionOf(name).demo?.failure;
  if (declared === 'none') return 'none';
  if (declared) return failureNamed(declared);
  return failureModel.find((row) => 'backend' in row.target && row.target.backend === name && row.target.settings === undefined);
}

function reproduces(personality: PersonalityName, name: BackendName, failure: StageFailure, t: StageTimings): string {
  const definition = definitionOf(name);
  const answer = failure && failure !== 'none' ? personalities[personality].demo.answers[failureKey(failure)]?.(t) : undefined;
  if (definition.demo?.reproduces) return definition.demo.reproduces(answer?.answer, t);
  if (answer) return answer.why ? `${answer.answer}: ${answer.why}` : answer.answer;
  return `${definition.summary} (the README's table gives each personality's answer)`;
}

function rowFor(name: BackendName, personality: PersonalityName, t: StageTimings, variant?: DemoVariant): PlannedRow {
  const failure = failureOf(name);
  const logsLine = failure !== 'none' && personalities[personality].demo.logs(failure, t);
  if (variant) return { personality, backend: name, variant, reproduces: variant.reproduces(t), requests: variant.requests, logs: logsLine };
  const requests = definitionOf(name).demo?.requests ?? { kind: 'one' };
  return { personality, backend: name, reproduces: reproduces(personality, name, failure, t), requests, logs: logsLine };
}

/** Every backend × personality, then every backend's variants × personality (last in the table). */
export function planStage(t: StageTimings): PlannedRow[] {
  const names = stageBackends();
  const main = names.flatMap((name) => personalityNames.map((personality) => rowFor(name, personality, t)));
  const variants = names.flatMap((name) => (definitionOf(name).demo?.variants ?? []).flatMap((variant) => personalityNames.map((personality) => rowFor(name, personality, t, variant))));
  return [...main, ...variants];
}

/** The command to type for the row's requests, against the gateway's URL and the personality's path. */
export function curlFor(requests: DemoRequests, url: string, t: StageTimings): string {
  switch (requests.kind) {
    case 'one':
      return `curl -i ${url}`;
    case 'two-apart':
      return `curl -i ${url}; sleep ${requests.gapS(t)}; curl -i ${url}`;
    case 'loop':
      return `for i in $(seq ${requests.count}); do curl -s -o /dev/null -w '%{http_code} ' ${url}; sleep ${requests.gapS(t)}; done; echo`;
  }
}
