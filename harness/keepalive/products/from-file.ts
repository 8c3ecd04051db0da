/** Builders for values read from a configuration file: the value, its file and line, and the knob written there. */
import type { Knob, RetryPolicy, Sourced } from './types.ts';

export function fromFile<T>(value: T, where: string, what: string, knob?: Knob, file?: string): Sourced<T> {
  return {
    value,
    source: 'config',
    from: `${where}: ${what}`,
    setting: knob ? `${knob.setting} at ${where}` : what,
    knob: knob ? { ...knob, where } : undefined,
    file,
  };
}

/** A preset's default, placed in the file where a fix would add the setting. */
export function defaultIn<T>(value: T, from: string, where: string, knob: Knob | undefined, file: string): Sourced<T> {
  return { value, source: 'default', from, setting: knob ? `${knob.setting} (${where})` : where, knob: knob ? { ...knob, where } : undefined, file };
}

export const retryFrom = (policy: RetryPolicy, where: string): Sourced<RetryPolicy> => ({
  value: policy,
  source: 'config',
  from: `${where}: ${policy.why}`,
  setting: `${policy.setting ?? 'the retry policy'} at ${where}`,
});
