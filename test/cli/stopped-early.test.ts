/**
 * A command stopped before its end, by Ctrl-C or by the reader of its output going away
 * (`faultgate run all | head`), closes everything it started: the nginx processes of a probe or a
 * Router, the servers, the log folder a narrated run made. Killed outright, it still leaves no
 * nginx running. Each runs with a temp folder of its own,
 * so that what it leaves (a folder, a process whose command line names that folder) is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findNginx } from '../../harness/keepalive/real-nginx.ts';
import { cleanEnvironment, FAULTGATE, pollUntil, tempDir } from '../helpers.ts';

/** The processes whose command line names `text` (nginx -p <folder> names its folder), as "pid: command line". */
function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return command.includes(text) ? [`${pid}: ${command.replaceAll('\0', ' ').trim()}`] : [];
      } catch {
        return [];
      }
    });
}

function start(args: string[], tmp: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [FAULTGATE, ...args], { env: { ...cleanEnvironment(), TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'close').then(([code]) => code as number | null);
  return { child, stderr: () => stderr, exited };
}

const leftovers = (tmp: string) => [...readdirSync(tmp), ...processesNaming(tmp)];

describe.skipIf(!findNginx() && !process.env.CI)('stopped before the end, nothing is left', () => {
  it('keepalive probe, Ctrl-C once its nginx hops run: every nginx stopped, its folders removed, exit 130', async () => {
    const tmp = tempDir();
    const probe = start(['keepalive', 'probe', 'examples/chains/nginx-to-node.yaml'], tmp);
    await pollUntil(() => processesNaming(tmp).length > 0, () => 'no nginx of the probe within 15 s', 15_000, 20);
    probe.child.kill('SIGINT');
    expect(await probe.exited).toBe(130);
    expect(probe.stderr()).toBe('faultgate: interrupted; everything it started is closed\n');
    expect(leftovers(tmp)).toEqual([]);
  });

  it('run, its output read by one that stops reading (| head): the Router and the run closed, exit 0', async () => {
    const tmp = tempDir();
    const run = start(['run', 'router-timeout-fixed', 'router-timeout'], tmp);
    // The header comes once the Router (a real nginx) is up; then the reader goes away.
    await once(run.child.stdout as NodeJS.ReadableStream, 'data');
    expect(processesNaming(tmp).length).toBeGreaterThan(0);
    run.child.stdout?.destroy();
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
    expect(leftovers(tmp)).toEqual([]);
  });

  it('killed outright (SIGKILL) while its Router runs: the Router, a real nginx, stops too', async () => {
    const tmp = tempDir();
    const run = start(['run', 'router-timeout-fixed'], tmp);
    await once(run.child.stdout as NodeJS.ReadableStream, 'data');
    expect(processesNaming(tmp).length).toBeGreaterThan(0);
    run.child.kill('SIGKILL');
    await run.exited;
    // No exit hook runs on SIGKILL: nginx's supervisor sees the pipe from the command close. Its
    // folders stay, for nothing is left to remove them.
    await pollUntil(() => processesNaming(tmp).length === 0, () => `the Router still runs after 15 s: ${processesNaming(tmp).join('; ')}`, 15_000, 20);
  });

  it('a narrated run, Ctrl-C mid-run: its log folder, which it would have named at the end, removed', async () => {
    const tmp = tempDir();
    const run = start(['run', 'tls-handshake-timeout', '--real-time'], tmp);
    await once(run.child.stdout as NodeJS.ReadableStream, 'data');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(leftovers(tmp)).toEqual([]);
  });
});
