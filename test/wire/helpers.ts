/**
 * What the wire tests share: whether they can run here (root and the tools), and the rule that
 * in CI — which runs as root with the tools installed by .ci/run — they never skip.
 */
import { execFileSync } from 'node:child_process';
import { wireUnavailable } from '../../harness/wire/tools.ts';

export const unavailable = wireUnavailable();

/** CI must run the wire tests: there, a missing tool is a failure, not a skip. */
export const mustRun = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';

/** The namespaces and links a process created (their names carry its pid) that still exist. */
export function leftoversOf(pid: number): string[] {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`faultgate-${pid}-`));
  const links = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[])
    .map((link) => link.ifname)
    .filter((name) => name.startsWith(`fg${pid.toString(36)}x`));
  return [...namespaces, ...links];
}
