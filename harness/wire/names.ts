/**
 * The names a wire path gives what it creates in the kernel, and how a later run recognises them:
 * every name carries the creating process's id, so "ours, and its process is gone" is a check of
 * the name alone. A namespace is faultgate-<pid>-<n>; its veth pair fg<pid36>x<n36>g (gateway
 * side) and fg<pid36>x<n36>t (target side), within the kernel's 15-character limit for
 * interface names.
 */
export interface PathNames {
  namespace: string;
  gatewayLink: string;
  targetLink: string;
}

let sequence = 0;

export function nextNames(pid = process.pid): PathNames {
  const n = sequence++;
  const stem = `fg${pid.toString(36)}x${n.toString(36)}`;
  return { namespace: `faultgate-${pid}-${n}`, gatewayLink: `${stem}g`, targetLink: `${stem}t` };
}

/** The process that created a namespace or link of ours, or undefined when the name is not ours. */
export function creatorOf(name: string): number | undefined {
  const namespace = /^faultgate-(\d+)-\d+$/.exec(name);
  if (namespace) return Number(namespace[1]);
  const link = /^fg([0-9a-z]+)x[0-9a-z]+[gt]$/.exec(name);
  return link ? parseInt(link[1] as string, 36) : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
