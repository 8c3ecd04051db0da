/**
 * The launcher of the real engine (harness/reference/microgateway-core.ts): where it listens and
 * logs, how it waits for log lines, that it stops with its process, that its child never outlives
 * the harness, and that what it cannot do is a one-line error before anything starts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, onTestFinished, test } from 'vitest';
import { listen } from '../../harness/listen.ts';
import { isRunning } from '../helpers.ts';
import { FaultgateError } from '../../harness/errors.ts';
import { startMicrogatewayCore, type ReferenceGatewayOptions } from '../../harness/reference/microgateway-core.ts';

/** The pids of this process's children, from /proc (Linux). */
function childPids(): Set<string> {
  const tasks = readdirSync('/proc/self/task');
  return new Set(tasks.flatMap((task) => readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)));
}

async function rejection(options: ReferenceGatewayOptions): Promise<FaultgateError> {
  const error: unknown = await startMicrogatewayCore(options).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(FaultgateError);
  return error as FaultgateError;
}

describe('startMicrogatewayCore', () => {
  test('listens on loopback, logs where the engine logs, waits for lines with a deadline, and stops with its process', async () => {
    const engine = await startMicrogatewayCore({ version: '3.1.6', target: 'http://127.0.0.1:9' });
    onTestFinished(() => engine.close());
    expect(engine.url).toBe(`http://127.0.0.1:${engine.port}`);
    expect(engine.version).toBe('3.1.6');
    // The engine's own name: edgemicro-<hostname>-<uid (uuid v1 in 3.1.6)>-<rotation>-api.log, in a fresh temporary folder.
    expect(basename(engine.logFile)).toMatch(new RegExp(`^edgemicro-${hostname()}-[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}-1-api\\.log$`));
    expect(basename(dirname(engine.logFile))).toMatch(/^faultgate-mgc-3\.1\.6-/);

    const started = performance.now();
    expect(await engine.readLines(1, 150)).toEqual([]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(145);
    expect(waited).toBeLessThanOrEqual(1000);

    await engine.close();
    expect(isRunning(engine.pid)).toBe(false);
    expect(existsSync(dirname(engine.logFile))).toBe(false);
  });

  test('the engine exits when the process that started it dies', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hold-engine.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const parent = spawn(process.execPath, ['--import', tsx, fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let enginePid = 0;
    onTestFinished(() => {
      parent.kill('SIGKILL');
      if (enginePid && isRunning(enginePid)) process.kill(enginePid, 'SIGKILL');
    });
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const [portText, pidText, logDir = ''] = line.toString('utf8').trim().split(' ');
    const port = Number(portText);
    enginePid = Number(pidText);
    onTestFinished(() => rmSync(logDir, { recursive: true, force: true }));

    // A connection to the engine closes when the engine's process does.
    const socket = net.connect(port, '127.0.0.1');
    // The engine's end may reach this socket as a reset rather than a FIN: either closes it.
    socket.on('error', () => {});
    onTestFinished(() => {
      socket.destroy();
    });
    await once(socket, 'connect');
    const closed = once(socket, 'close');
    parent.kill('SIGKILL');
    await closed;
    expect(isRunning(enginePid)).toBe(false);
    // Nobody is left to read its temporary log, so the engine took it with it.
    expect(existsSync(logDir)).toBe(false);
  });

  test('a busy port is a one-line error, and no engine is left running', async () => {
    const blocker = net.createServer();
    const port = await listen(blocker, 'blocker');
    onTestFinished(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const before = childPids();
    const error = await rejection({ version: '3.3.7', target: 'http://127.0.0.1:9', port });
    expect(error.code).toBe('E_PORT_IN_USE');
    expect(error.message).toBe(`microgateway-core 3.3.7: port ${port} is already in use; choose another, or leave the port out for a free one`);
    expect([...childPids()].filter((pid) => !before.has(pid))).toEqual([]);
  });

  test('settings the engine cannot honour are refused before anything starts', async () => {
    const before = childPids();
    const idle = await rejection({ version: '3.1.6', target: 'http://127.0.0.1:9', settings: { target_idle_timeout: 4000 } });
    expect(idle.code).toBe('E_CONFIG');
    expect(idle.message).toMatch(/^target_idle_timeout=4000: microgateway-core 3\.1\.6 has no idle limit for target connections; /);
    const hint = await rejection({ version: '3.3.7', target: 'http://127.0.0.1:9', settings: { honour_keep_alive_hint: true } });
    expect(hint.code).toBe('E_CONFIG');
    expect(hint.message).toMatch(/^honour_keep_alive_hint=true: /);
    const version = await rejection({ version: '3.2.0' as '3.1.6', target: 'http://127.0.0.1:9' });
    expect(version.message).toBe('microgateway-core@3.2.0: not installed; known: 3.1.6, 3.3.7');
    const level = await rejection({ version: '3.1.6', target: 'http://127.0.0.1:9', settings: { edgemicro: { logging: { level: 'loud' as 'warn' } } } });
    expect(level.message).toMatch(/^microgateway-core 3\.1\.6 settings: edgemicro\.logging\.level: /);
    const dir = await rejection({ version: '3.1.6', target: 'http://127.0.0.1:9', settings: { edgemicro: { logging: { dir: '/proc/faultgate-nowhere' } } } });
    expect(dir.message).toMatch(/^edgemicro\.logging\.dir \/proc\/faultgate-nowhere: cannot create it \(ENOENT\); choose a folder you can write/);
    expect(childPids()).toEqual(before);
  });
});
