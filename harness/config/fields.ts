/**
 * Schema pieces with messages a user can act on: they say what a value must be, in the units the
 * product uses, because the field's name is put in front of them by describeIssue().
 */
import { z } from 'zod';

/** A duration in milliseconds: a whole number, 0 or more. */
export const millis = () =>
  z
    .number({ error: 'expected a whole number of milliseconds' })
    .int({ error: 'expected a whole number of milliseconds' })
    .nonnegative({ error: 'must not be negative (milliseconds)' });

/** A duration in milliseconds that must be more than 0. */
export const positiveMillis = () => millis().positive({ error: 'must be more than 0 milliseconds' });

/** A duration in whole seconds that must be more than 0 (Microgateway's request_timeout). */
export const positiveSeconds = () =>
  z
    .number({ error: 'expected a whole number of seconds' })
    .int({ error: 'expected a whole number of seconds' })
    .positive({ error: 'must be more than 0 seconds' });

export const tcpPort = () =>
  z
    .number({ error: 'expected a port number' })
    .int({ error: 'expected a port number' })
    .min(0, { error: 'a port is 0 to 65535' })
    .max(65535, { error: 'a port is 0 to 65535' });

export const name = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
