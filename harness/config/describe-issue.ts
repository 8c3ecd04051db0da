import type { z } from 'zod';

/**
 * One line for the first problem zod found: the field's path, what was wrong with it, and, when
 * the schema was parsed with `reportInput` and the value is a plain one, the value given, e.g.
 * `io.timeout.millis: must not be negative (milliseconds), got -5`.
 */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path.map(String).join('.');
  const input: unknown = 'input' in issue ? issue.input : undefined;
  const given = typeof input === 'string' ? `, got ${JSON.stringify(input)}` : ['number', 'boolean', 'bigint'].includes(typeof input) ? `, got ${String(input)}` : '';
  return path ? `${path}: ${issue.message}${given}` : issue.message;
}
