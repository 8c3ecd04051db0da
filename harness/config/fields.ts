/**
 * Schema pieces with messages a user can act on: they say what a value must be, in the units the
 * product uses, because the field's name is put in front of them by describeIssue().
 */
import { z } from 'zod';

/**
 * The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days). A longer one is not refused
 * by Node: it prints a TimeoutOverflowWarning and fires after 1 ms, so every duration is bounded here.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The same bound for settings given in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

const atMost = (max: number, unit: string) => ({ error: `at most ${max} ${unit} (the longest timer Node can hold)` });

/** A duration in milliseconds: a whole number, 0 or more, that a timer can hold. */
export const millis = () =>
  z
    .number({ error: 'expected a whole number of milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .nonnegative({ error: 'must not be negative (milliseconds)' })
    .max(MAX_TIMER_MS, atMost(MAX_TIMER_MS, 'milliseconds'))
    .meta({ unit: 'ms' });

/** A duration in milliseconds that must be more than 0. */
export const positiveMillis = () => millis().positive({ error: 'must be more than 0 milliseconds' });

/** A duration in whole seconds that must be more than 0 (Microgateway's request_timeout). */
export const positiveSeconds = () =>
  z
    .number({ error: 'expected a whole number of seconds' })
    .int({ error: 'expected a whole number of seconds' })
    .positive({ error: 'must be more than 0 seconds' })
    .max(MAX_TIMER_SECONDS, atMost(MAX_TIMER_SECONDS, 'seconds'))
    .meta({ unit: 's' });

/** A duration in whole seconds, 0 or more (a Keep-Alive: timeout=N hint). */
export const seconds = () =>
  z
    .number({ error: 'expected a whole number of seconds' })
    .int({ error: 'expected a whole number of seconds' })
    .nonnegative({ error: 'must not be negative (seconds)' })
    .max(MAX_TIMER_SECONDS, atMost(MAX_TIMER_SECONDS, 'seconds'))
    .meta({ unit: 's' });

/** A size in bytes that must be more than 0 (a product's buffer limit). */
export const bytes = () =>
  z
    .number({ error: 'expected a whole number of bytes' })
    .int({ error: 'expected a whole number of bytes' })
    .positive({ error: 'must be more than 0 bytes' })
    .meta({ unit: 'bytes' });

export const tcpPort = () =>
  z
    .number({ error: 'expected a port number' })
    .int({ error: 'expected a port number' })
    .min(0, { error: 'a port is 0 to 65535' })
    .max(65535, { error: 'a port is 0 to 65535' });

export const name = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
