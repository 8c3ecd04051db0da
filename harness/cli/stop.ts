/**
 * What ends a command before its own end: Ctrl-C (SIGINT), SIGTERM, SIGHUP (its terminal went
 * away), the process that started it exiting, whatever that process did with the signal it got,
 * or the reader of its output going away (`faultgate run all | head`: EPIPE on stdout).
 *
 * The last one matters under npx: `npx faultgate backend …` is npm, which runs the command through
 * `sh -c`; on SIGTERM npm exits and the shell with it, and the command, re-parented to init, would
 * listen on for ever. So the command watches its parent: when process.ppid is no longer the one it
 * started with, the parent has gone. When the parent is such a `sh -c` wrapper (npx, npm run), the
 * wrapper's own parent is watched too (on Linux, through /proc), so that npm killed outright
 * (SIGKILL, which leaves the shell waiting on the command) ends the command as well. A command
 * whose parent is init (a container's PID 1, a service manager) has nothing to watch.
 */
import { readFileSync } from 'node:fs';
import { FaultgateError } from '../errors.ts';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED } from './exit-codes.ts';

export type StopCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent-gone' | 'output-closed';

/** Who is listening for a stop now, to be told when the output's reader has gone. */
const outputClosedListeners = new Set<() => void>();
let outputWasClosed = false;

/**
 * The reader of stdout went away. A command that holds something open (servers, nginx, folders,
 * namespaces) stops as it would at Ctrl-C, closing all of it; the caller exits at once only when
 * none is listening (false). Told once: later writes fail the same way and change nothing.
 */
export function outputClosed(): boolean {
  if (outputWasClosed) return true;
  outputWasClosed = true;
  if (outputClosedListeners.size === 0) return false;
  for (const listener of [...outputClosedListeners]) listener();
  return true;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How often the parent is looked at: one system call, cheap enough to do often. */
export const PARENT_POLL_MS = 250;

/** The parent pid and the command line of a process, on Linux; undefined where /proc has no answer. */
function processInfo(pid: number): { ppid: number; argv: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
    return Number.isInteger(ppid) ? { ppid, argv } : undefined;
  } catch {
    return undefined;
  }
}

/** `sh -c …` (or /bin/sh, dash, bash): the wrapper npm puts between itself and the command. */
function isShellWrapper(argv: readonly string[]): boolean {
  const program = argv[0]?.split('/').at(-1) ?? '';
  return ['sh', 'dash', 'bash'].includes(program) && argv[1] === '-c';
}

/** A check that is true once the command's parent (or npm above its `sh -c`) has gone. */
export function parentWatch(): (() => boolean) | undefined {
  const parent = process.ppid;
  if (parent <= 1) return undefined;
  const info = processInfo(parent);
  const wrapperParent = info && isShellWrapper(info.argv) && info.ppid > 1 ? info.ppid : undefined;
  return () => {
    if (process.ppid !== parent) return true;
    return wrapperParent !== undefined && processInfo(parent)?.ppid !== wrapperParent;
  };
}

/**
 * Calls `stop` with the cause at the first signal or when the parent goes (and again at any later
 * signal, so that a second Ctrl-C can force the exit). Returns the function that stops listening.
 */
export function onStop(stop: (cause: StopCause) => void): () => void {
  const listeners = SIGNALS.map((signal) => {
    const listener = () => stop(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  const closedOutput = () => stop('output-closed');
  outputClosedListeners.add(closedOutput);
  const parentGone = parentWatch();
  let reported = false;
  const poll = parentGone
    ? setInterval(() => {
        if (reported || !parentGone()) return;
        reported = true;
        stop('parent-gone');
      }, PARENT_POLL_MS)
    : undefined;
  // The watch alone keeps no process alive: a command that has finished may exit.
  poll?.unref();
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
    outputClosedListeners.delete(closedOutput);
    clearInterval(poll);
  };
}

export interface StopSignal {
  /** aborted at the first stop, with a FaultgateError "interrupted" as its reason */
  signal: AbortSignal;
  /**
   * Once the work has closed what it started: says so on stderr (not when the output's reader went
   * away) and sets the exit code the stop asks for: 143 for SIGTERM, 0 for a reader gone, else 130.
   */
  conclude(): void;
  /** stops listening */
  dispose(): void;
}

/** A signal for work that closes what it started when aborted; a second stop exits at once. */
export function abortOnStop(): StopSignal {
  const controller = new AbortController();
  let stoppedBy: StopCause | undefined;
  const dispose = onStop((cause) => {
    if (controller.signal.aborted) process.exit(exitCodeOf(stoppedBy));
    stoppedBy = cause;
    controller.abort(new FaultgateError('E_USAGE', 'interrupted'));
  });
  const conclude = () => {
    if (stoppedBy !== 'output-closed') process.stderr.write('faultgate: interrupted; everything it started is closed\n');
    process.exitCode = exitCodeOf(stoppedBy);
  };
  return { signal: controller.signal, conclude, dispose };
}

function exitCodeOf(cause: StopCause | undefined): number {
  if (cause === 'SIGTERM') return EXIT_TERMINATED;
  return cause === 'output-closed' ? EXIT_OK : EXIT_INTERRUPTED;
}
