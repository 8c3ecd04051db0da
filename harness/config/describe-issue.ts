import type { z } from 'zod';

/**
 * One line for the first problem zod found: the field's path and what was wrong with it, e.g.
 * `io.timeout.millis: Too small: expected number to be >0`.
 */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
