/**
 * Long-running commands end with the process that started them, whatever that process did with
 * its signal. npx starts a command as `sh -c 'faultgate …'` and, on SIGTERM, exits and takes the
 * shell with it without passing the signal on; killed outright, it leaves the shell waiting. Here
 * a stand-in for npm starts each command the same way; when the stand-in goes, the command closes
 * everything and exits: nothing listens on its ports, its temporary folders are gone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cleanEnvironment, FAULTGATE, isRunning, listenersByPort, tempDir } from '../helpers.ts';

/** npm's part: runs the command under `sh -c`; on SIGTERM, kills the shell and exits. */
const NPM_STAND_IN = `
const child = require('node:child_process').spawn('sh', ['-c', process.argv[1]], { stdio: 'inherit' });
process.on('SIGTERM', () => { child.kill('SIGTERM'); process.exit(143); });
`;

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

interface Started {
  /** the stand-in for npm */
  npm: ReturnType<typeof spawn>;
  /** what the command printed before it was stopped: its URLs */
  lines: string[];
  /** resolves when every process of the chain has let go of stdout: all of them have exited */
  allGone: Promise<void>;
  /** the pids that listened on the printed ports once all were printed: the command's own processes */
  listeners: Set<number>;
}

/** Starts `faultgate <args>` below the stand-in and resolves once it has printed `lineCount` lines. */
async function startUnderNpm(args: readonly string[], lineCount: number, tmp: string): Promise<Started> {
  const command = [process.execPath, FAULTGATE, ...args].map(quote).join(' ');
  const npm = spawn(process.execPath, ['-e', NPM_STAND_IN, command], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...cleanEnvironment(), TMPDIR: tmp } });
  const allGone = once(npm.stdout, 'close').then(() => undefined);
  let listeners: Set<number> | undefined;
  onTestFinished(async () => {
    // A command that failed to end would otherwise outlive the test: its pid is the listener's. Only
    // the pids that listened while it ran: once it has exited, another test's listen(0) may hold one
    // of its ports, and that listener (a test worker, say) is not this test's to kill.
    for (const pid of listeners ?? listenersOfAll(lines)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
  });
  const lines: string[] = [];
  for await (const line of createInterface({ input: npm.stdout })) {
    if (/^https?:\/\//.test(line)) lines.push(line);
    else if (line.startsWith('{')) lines.push((JSON.parse(line) as { url: string }).url);
    if (lines.length === lineCount) break;
  }
  listeners = listenersOfAll(lines);
  expect(lines).toHaveLength(lineCount);
  return { npm, lines, allGone, listeners };
}

function ports(lines: readonly string[]): number[] {
  return lines.map((line) => Number(new URL(line).port));
}

/** The pids listening on any of the lines' ports. */
function listenersOfAll(lines: readonly string[]): Set<number> {
  return new Set([...listenersByPort(ports(lines)).values()].flat());
}

// up starts 18 gateways and their backends: on a machine whose load average is 30 or more, start
// and stop can take tens of seconds. The bound is for a command that never ends, not a wait.
describe('a long-running command ends with the process that started it', () => {
  it.each([
    ['backend', 'SIGTERM', ['backend', 'healthy', '--port', '0'], 1],
    ['backend', 'SIGKILL', ['backend', 'never-respond', '--port', '0'], 1],
    ['gateway', 'SIGTERM', ['gateway', '--personality', 'microgateway', '--target', 'http://127.0.0.1:9', '--port', '0'], 1],
    ['up', 'SIGKILL', ['up', '--json'], 18],
  ] as const)('%s, when npm is stopped by %s', { timeout: 90_000 }, async (_name, signal, args, lineCount) => {
    const tmp = tempDir();
    const extra = args[0] === 'gateway' ? ['--set', `edgemicro.logging.dir=${tmp}/logs`] : [];
    const { npm, lines, allGone, listeners } = await startUnderNpm([...args, ...extra], lineCount, tmp);
    expect(listeners.size).toBeGreaterThan(0);
    npm.kill(signal);
    await allGone;
    // Its processes listen on none of its ports; another test's listen(0) may have been given one since.
    expect([...listenersOfAll(lines)].filter((pid) => listeners.has(pid))).toEqual([]);
    // up's own log folder (under TMPDIR) is removed as on Ctrl-C.
    expect(readdirSync(tmp).filter((name) => name !== 'logs')).toEqual([]);
  });
});

