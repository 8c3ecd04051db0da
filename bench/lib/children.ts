/**
 * The parent's side of a benchmark participant: every server under test and every load generator
 * runs in its own Node process, so none shares an event loop with another and each one's memory
 * can be read from /proc by its pid.
 *
 * Protocol (the child's side is as-child.ts): options go as JSON in argv[2]; the child writes one
 * JSON line per message on stdout ({"type":"ready"|"reply"|"error", …}); each line the parent
 * writes on the child's stdin is a request, and closing stdin tells the child to close everything
 * and exit. A child whose parent dies sees its stdin end too, so nothing outlives the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { untilDone } from './cleanup.ts';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Each participant runs as plain JavaScript, as the package does (dist/ is compiled): its script
 * bundled with the sources it imports, once per run, with esbuild (packages stay imports, so the
 * folder is under node_modules/, where Node finds them). Under tsx's loader every participant, the
 * baseline included, carried the loader's thread and the transformed sources with their source
 * maps, which the product never has: a gateway process held 17.5 MB of heap after start-up there,
 * 12.3 MB compiled. Removed when the run ends, however it ends.
 */
const bundlesDir = join(projectRoot, 'node_modules', '.cache', `faultgate-bench-${process.pid}`);
const bundles = new Map<string, Promise<string>>();

function bundled(script: string): Promise<string> {
  let made = bundles.get(script);
  if (!made) {
    if (bundles.size === 0) {
      mkdirSync(bundlesDir, { recursive: true });
      process.once('exit', () => rmSync(bundlesDir, { recursive: true, force: true }));
    }
    const outfile = join(bundlesDir, script.replace(/\.ts$/, '.mjs'));
    made = build({
      entryPoints: [fileURLToPath(new URL(`../${script}`, import.meta.url))],
      outfile,
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'error',
    }).then(() => outfile);
    bundles.set(script, made);
  }
  return made;
}

/** What a child says on stdout. */
export type ChildMessage = { type: 'ready'; value: unknown } | { type: 'reply'; value: unknown } | { type: 'error'; message: string };

export interface BenchChild {
  readonly label: string;
  readonly pid: number;
  /** Waits for the child's next message; rejects on an error message, an exit or the deadline. */
  next<T>(timeoutMs: number): Promise<T>;
  /** Sends one request line and waits for its reply. */
  request<T>(message: unknown, timeoutMs: number): Promise<T>;
  /** Closes its stdin (the child closes what it holds and exits); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

// The soft limit on open files is raised to the hard one first: 10 000 hung requests need
// 20 000 descriptors in the gateway. `exec` keeps the pid, so /proc/<pid> is Node's own.
const RAISE_FD_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** Starts `bench/<script>`, compiled, with `options` and waits for its ready message. */
export async function startChild<Ready>(script: string, options: unknown, label: string, readyTimeoutMs = 30_000): Promise<{ child: BenchChild; ready: Ready }> {
  const file = await bundled(script);
  const proc = spawn('bash', ['-c', RAISE_FD_LIMIT, label, process.execPath, file, JSON.stringify(options)], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child = wrap(proc, label);
  try {
    return { child, ready: await child.next<Ready>(readyTimeoutMs) };
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
}

function wrap(proc: ChildProcess, label: string): BenchChild {
  const inbox: ChildMessage[] = [];
  const waiters: { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }[] = [];
  let stderr = '';
  let exitError: Error | undefined;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const forget = untilDone(() => proc.kill('SIGKILL'));
  void exited.then(forget);

  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-3000);
  });
  // EPIPE when the child is already gone: the exit handler reports it.
  proc.stdin?.on('error', () => {});
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let message: ChildMessage;
    try {
      message = JSON.parse(line) as ChildMessage;
    } catch {
      return; // not ours: a banner or a stray print
    }
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else inbox.push(message);
  });
  proc.once('exit', (code, signal) => {
    const tail = stderr.trim().split('\n').slice(-6).join('\n');
    exitError = new Error(`${label} exited (${signal ?? `code ${code}`})${tail ? `:\n${tail}` : ''}`);
    for (const waiter of waiters.splice(0)) waiter.reject(exitError);
  });

  const next = <T>(timeoutMs: number): Promise<T> => {
    const queued = inbox.shift();
    const message: Promise<ChildMessage> = queued
      ? Promise.resolve(queued)
      : exitError
        ? Promise.reject(exitError)
        : new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(entry), 1);
              reject(new Error(`${label}: no answer within ${timeoutMs} ms`));
            }, timeoutMs);
            const entry = {
              resolve: (m: ChildMessage) => (clearTimeout(timer), resolve(m)),
              reject: (e: Error) => (clearTimeout(timer), reject(e)),
            };
            waiters.push(entry);
          });
    return message.then((m) => {
      if (m.type === 'error') throw new Error(`${label}: ${m.message}`);
      return m.value as T;
    });
  };

  return {
    label,
    pid: proc.pid ?? 0,
    next,
    request<T>(message: unknown, timeoutMs: number) {
      proc.stdin?.write(`${JSON.stringify(message)}\n`);
      return next<T>(timeoutMs);
    },
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.stdin?.end();
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
