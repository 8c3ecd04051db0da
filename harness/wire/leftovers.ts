/**
 * Removes what crashed runs left in the kernel: namespaces and links whose names are ours (see
 * names.ts) and whose creating process is gone, and their address claims. Every new wire path
 * calls it first, so a run killed with SIGKILL costs the next run a moment, not a broken machine.
 */
import { run, tryRun } from './exec.ts';
import { creatorOf, isAlive } from './names.ts';
import { staleClaims } from './subnet.ts';

const gone = (name: string): boolean => {
  const pid = creatorOf(name);
  return pid !== undefined && !isAlive(pid);
};

export async function removeLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  const claims = staleClaims();
  const namespaces = (await run('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
  const stale = new Set([...claims.map((claim) => claim.namespace).filter((name) => namespaces.includes(name)), ...namespaces.filter(gone)]);
  for (const namespace of stale) {
    await tryRun('ip', ['netns', 'del', namespace]);
    removed.push(namespace);
  }
  const links = JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout || '[]') as { ifname?: string }[];
  for (const { ifname } of links) {
    if (ifname && gone(ifname)) {
      await tryRun('ip', ['link', 'del', ifname]);
      removed.push(ifname);
    }
  }
  return removed;
}
