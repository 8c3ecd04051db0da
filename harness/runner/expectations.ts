/**
 * Judges a run against its scenario's expectations. Log lines are expected as the documents print
 * them, with named holes for what changes from run to run (see logTemplateSchema); each problem is
 * one sentence a reader can act on.
 */
import type { RequestOutcome } from './client.ts';
import type { Expectation } from './scenario.ts';
import { judgeTiming, limitWindow, type TimingObservation } from './timing-verdict.ts';

export interface TemplateContext {
  /** host:port of the gateway's target (the relay, when there is one) */
  target: string;
  /** host:port of the gateway */
  gateway: string;
  /** the message id the gateway gave the last request (Edge; X-Apigee.Message-ID in Trace) */
  messageId?: string | undefined;
  /** where a time in a line, {elapsed}, must lie (ms) */
  elapsed: { min: number; max: number };
}

const escape = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const holes: Record<string, (context: TemplateContext) => string> = {
  target: (c) => escape(c.target),
  gateway: (c) => escape(c.gateway),
  'message-id': (c) => (c.messageId ? escape(c.messageId) : '\\S+'),
  time: () => '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z',
  uuid: () => '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  n: () => '\\d+',
  ms: () => '\\d+',
  // microgateway-core prints a duration of 0 ms as an empty field
  duration: () => '\\d*',
  pid: () => '\\d+',
  'ip:port': () => '[0-9a-fA-F.:\\[\\]]+:\\d+',
  elapsed: () => '(\\d+)',
  any: () => '.*?',
};

/** Compares one line with one template; returns what is wrong, or undefined when it matches. */
export function matchLogLine(template: string, line: string, context: TemplateContext): string | undefined {
  let pattern = '';
  let last = 0;
  for (const hole of template.matchAll(/\{([a-z:-]+)\}/g)) {
    const make = holes[hole[1] ?? ''];
    if (!make) continue;
    pattern += escape(template.slice(last, hole.index)) + make(context);
    last = hole.index + hole[0].length;
  }
  pattern += escape(template.slice(last));
  const match = new RegExp(`^${pattern}$`).exec(line);
  if (!match) return `expected ${template}\n      got      ${line}`;
  for (const value of match.slice(1)) {
    const measured = Number(value);
    const { min, max } = context.elapsed;
    if (measured < min || measured > max) return `a time of ${measured} ms in the line, outside the ${Math.ceil(min)}–${Math.floor(max)} ms measured: ${line}`;
  }
  return undefined;
}

export interface Observed {
  outcomes: readonly RequestOutcome[];
  logs: readonly string[];
  /** the classifier's verdict on the last failure, when the harness's own gateway ran */
  failure?: TimingObservation['failure'];
  /** the gateway's settings after defaults, to resolve answeredAt */
  settingValue: (name: string) => number | undefined;
  context: Omit<TemplateContext, 'elapsed'>;
}

export function judge(expect: Expectation, observed: Observed, steps: readonly { request?: { expectStatus?: number | undefined } }[]): string[] {
  const problems: string[] = [];
  const last = observed.outcomes.at(-1);
  for (const outcome of observed.outcomes.slice(0, -1)) {
    const wanted = steps[outcome.step - 1]?.request?.expectStatus;
    if (wanted !== undefined && outcome.status !== wanted) {
      problems.push(`request ${outcome.step} (${outcome.method} ${outcome.path}): expected status ${wanted}, got ${outcome.status ?? outcome.error?.message}`);
    }
  }
  if (!last) return [...problems, 'the client sent no request'];
  if (last.error) return [...problems, `the last request got no response: ${last.error.message}`];
  if (last.status !== expect.status) problems.push(`expected status ${expect.status}, got ${last.status}`);
  if (expect.body !== undefined && last.body !== expect.body) problems.push(`expected body ${expect.body}\n      got  ${last.body}`);
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const got = last.headers?.[name];
    if (got !== value) problems.push(`expected header ${name}: ${value}, got ${got === undefined ? '(none)' : String(got)}`);
  }
  const timing = expect.answeredAt;
  const limit = timing ? observed.settingValue(timing.setting) : undefined;
  const observation: TimingObservation = { clientElapsedMs: last.elapsedMs, failure: observed.failure };
  if (timing) {
    if (limit === undefined) problems.push(`answeredAt: the gateway has no setting ${timing.setting}`);
    else problems.push(...judgeTiming(timing, limit, observation));
  }
  const kind = observed.failure?.kind;
  if (expect.failure !== undefined && kind !== undefined && kind !== expect.failure) {
    problems.push(`expected the gateway to classify the failure as ${expect.failure}, it said ${kind}`);
  }
  if (expect.logs === undefined) return problems;
  if (observed.logs.length !== expect.logs.length) {
    problems.push(`expected ${expect.logs.length} product log line(s), got ${observed.logs.length}${observed.logs.length ? `:\n      ${observed.logs.join('\n      ')}` : ''}`);
  } else {
    const context: TemplateContext = {
      ...observed.context,
      // A time the gateway measured up to its limit lies between the limit and the client's wait;
      // without a limit to judge by, near the client's wait.
      elapsed: limit !== undefined ? limitWindow(limit, observation) : { min: last.elapsedMs - 50, max: last.elapsedMs + 50 },
    };
    expect.logs.forEach((template, index) => {
      const problem = matchLogLine(template, observed.logs[index] ?? '', context);
      if (problem) problems.push(`log line ${index + 1}: ${problem}`);
    });
  }
  return problems;
}
