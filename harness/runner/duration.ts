/**
 * Every duration in a scenario is explicit, and most have two values: a short one that tests and
 * the default run use, and the product's own default that `--real-time` uses (55 s handshake
 * limit, 5 s idle close). `{ test: 300, real: 5000 }` reads as "300 ms here, 5 s in real time".
 */
import { z } from 'zod';
import { millis } from '../config/fields.ts';

export interface TimedValue {
  test: number;
  real: number;
}

export type Duration = number | TimedValue;

const ms = millis();

export const durationSchema = z.union([ms, z.object({ test: ms, real: ms }).strict()], {
  error: 'expected milliseconds, or { test, real } milliseconds',
});

export function isTimedValue(value: unknown): value is TimedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    typeof (value as TimedValue).test === 'number' &&
    typeof (value as TimedValue).real === 'number'
  );
}

/** Replaces every { test, real } anywhere in a plain value by the one the mode picks. */
export function resolveDurations<T>(value: T, realTime: boolean): T {
  if (isTimedValue(value)) return (realTime ? value.real : value.test) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => resolveDurations(item, realTime)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDurations(item, realTime)])) as T;
  }
  return value;
}

/** One duration, for the mode of the run. */
export function resolveDuration(value: Duration, realTime: boolean): number {
  return typeof value === 'number' ? value : realTime ? value.real : value.test;
}
