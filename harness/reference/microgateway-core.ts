/**
 * The real Edge Microgateway engine (microgateway-core 3.1.6 or 3.3.7, installed side by side as
 * npm aliases), started in a child process in front of one target, so that anything run against
 * the mimic can be run against the engine and judged the same way.
 *
 * The child gets the engine's config built from the personality's settings (engine-config.ts),
 * listens on loopback, and writes its event log into a temporary folder (removed on close) unless
 * edgemicro.logging.dir names one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMicrogatewaySettings, type MicrogatewaySettingsInput } from '../config/microgateway.ts';
import { FaultgateError, listenError } from '../errors.ts';
import { ensureWritableFolder } from '../folders.ts';
import { parseTarget } from '../gateway/gateway.ts';
import { checkEngineSettings, engineConfig, LAUNCH_VARIABLE, type ChildMessage, type EngineLaunch, type EngineRoute } from './engine-config.ts';
import { readEventLog } from './event-log.ts';

export const engineVersions = ['3.1.6', '3.3.7'] as const;
export type EngineVersion = (typeof engineVersions)[number];

export interface ReferenceGatewayOptions {
  version: EngineVersion;
  /** the backend URL the engine proxies to (one proxy, base path '/') */
  target: string;
  /** the microgateway personality's settings shape (org, env, edgemicro.*, targets[]) */
  settings?: MicrogatewaySettingsInput;
  /** 0 / absent: ephemeral */
  port?: number;
  /**
   * Further proxies, each a base path and its own target, so that one engine process fronts many
   * backends (the differential table starts one engine per release, not one per case).
   */
  routes?: readonly EngineRoute[];
}

export interface ReferenceGateway {
  url: string;
  port: number;
  pid: number;
  version: EngineVersion;
  /** the engine's own event-log file */
  logFile: string;
  /** the event-log lines written so far; waits (on file events, with a deadline) until at least `expected` lines are there */
  readLines(expected?: number, timeoutMs?: number): Promise<string[]>;
  /**
   * How the engine's process ended, once it has: a fault can make the engine die on its own
   * (write after end: exit code 1), and that death is part of what it does. `stderr` is the
   * last line of what it printed (the error that killed it).
   */
  readonly exit: Promise<EngineExit>;
  /** whether the process has ended (on its own or by close()) */
  exited(): boolean;
  /** stops the engine and its child process; resolves when the process has exited */
  close(): Promise<void>;
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the last line the engine printed on stderr that is not a stack frame */
  stderr: string;
}

export function isEngineVersion(value: string): value is EngineVersion {
  return (engineVersions as readonly string[]).includes(value);
}

const require = createRequire(import.meta.url);

/** Whether the release is installed (it is a dev dependency: `npm ci --omit=dev` leaves it out). */
export function isEngineInstalled(version: EngineVersion): boolean {
  try {
    require.resolve(`microgateway-core-${version}`);
    return true;
  } catch {
    return false;
  }
}

// Compiled, the child is plain CommonJS (engine-child.cjs). From the sources, tsx's require hook
// compiles engine-child.cts and is then removed, so that the engine's own modules load unhooked:
// that halves an engine's start-up. Paths are resolved here so the child starts from any working
// directory.
const compiled = import.meta.url.endsWith('.js');
const CHILD = fileURLToPath(new URL(compiled ? './engine-child.cjs' : './engine-child.cts', import.meta.url));
const BOOTSTRAP = compiled
  ? `require(${JSON.stringify(CHILD)})();`
  : `const unregister = require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();
const main = require(${JSON.stringify(CHILD)});
unregister();
main();`;
/**
 * A bound for an engine that will never report, not a wait: a start takes 0.2–0.5 s on an idle
 * machine, and has been seen past 10 s with both cores shared by dozens of processes.
 */
const START_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 2000;

export async function startMicrogatewayCore(options: ReferenceGatewayOptions): Promise<ReferenceGateway> {
  const { version } = options;
  if (!isEngineVersion(version)) {
    throw new FaultgateError('E_UNKNOWN_NAME', `microgateway-core@${String(version)}: not installed; known: ${engineVersions.join(', ')}`);
  }
  if (!isEngineInstalled(version)) {
    throw new FaultgateError('E_CONFIG', `microgateway-core@${version}: not installed; it is a dev dependency, which npm ci installs unless told --omit=dev`);
  }
  const target = parseTarget(options.target);
  const settings = parseMicrogatewaySettings(options.settings ?? {}, `microgateway-core ${version} settings`);
  checkEngineSettings(settings, version);
  const givenDir = options.settings?.edgemicro?.logging?.dir;
  if (givenDir !== undefined) checkLogDir(givenDir);
  const ownDir = givenDir === undefined ? mkdtempSync(join(tmpdir(), `faultgate-mgc-${version}-`)) : undefined;
  const removeOwnDir = () => ownDir && rmSync(ownDir, { recursive: true, force: true });
  const port = options.port ?? 0;
  const launch: EngineLaunch = {
    version,
    org: settings.org,
    env: settings.env,
    config: engineConfig(settings, target, ownDir ?? settings.edgemicro.logging.dir, port, options.routes),
    ...(ownDir ? { temporaryLogDir: ownDir } : {}),
  };

  // Required by a bootstrap rather than run as the main module: Node 20 hands a main .cts file to its ESM loader.
  const child = spawn(process.execPath, ['--eval', BOOTSTRAP], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // A DEBUG=* inherited from the harness would have the engine trace every request on stderr.
    env: { ...process.env, DEBUG: '', [LAUNCH_VARIABLE]: JSON.stringify(launch) },
  });
  let stderr = '';
  // 'close', not 'exit': by then stderr has been read to its end, so the error that ended the
  // engine is in it (on 'exit' the last chunk was sometimes still unread: an empty error).
  const exit = new Promise<EngineExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr: lastErrorLine(stderr) })));
  const exited = exit.then(() => undefined);
  // The engine prints a banner and "logging to …" on stdout; nobody reads them, so they must not back up.
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });

  let listening: Extract<ChildMessage, { type: 'listening' }>;
  try {
    listening = await whenListening(child, exited, () => stderr, version, port);
  } catch (error) {
    await stop(child, exited);
    removeOwnDir();
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${listening.port}`,
    port: listening.port,
    pid: listening.pid,
    version,
    logFile: listening.logFile,
    readLines: (expected, timeoutMs) => readEventLog(listening.logFile, expected, timeoutMs),
    exit,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    close: () =>
      (closed ??= stop(child, exited).then(() => {
        removeOwnDir();
      })),
  };
}

/** The engine would die on a folder it cannot write; the user gets the setting's name and the fix instead. */
function checkLogDir(dir: string): void {
  ensureWritableFolder(dir, 'edgemicro.logging.dir', 'choose a folder you can write with --set edgemicro.logging.dir=DIR, or leave it out for a temporary one');
}

function whenListening(
  child: ChildProcess,
  exited: Promise<void>,
  stderr: () => string,
  version: EngineVersion,
  port: number,
): Promise<Extract<ChildMessage, { type: 'listening' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`microgateway-core ${version}: did not report its port within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === 'listening') resolve(message);
      else reject(listenError(Object.assign(new Error(message.message), { code: message.code }), `microgateway-core ${version}`, port));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(() => {
      clearTimeout(timer);
      // The error's own line, not the stack under it nor Node's version banner.
      const last = stderr().split('\n').filter((line) => line.trim() && !/^\s+at |^Node\.js v/.test(line)).at(-1) ?? '';
      reject(new Error(`microgateway-core ${version}: the engine exited before listening${last ? `: ${last.trim()}` : ''}`));
    });
  });
}

/** The line that names the error that ended the process (`Error [CODE]: message`), else the last one. */
function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() && !/^\s+at |^Node\.js v|^\s*[\^}{]|^\s+code:|^Emitted|^\S+:\d+$/.test(line));
  return (lines.find((line) => /^\w*Error/.test(line)) ?? lines.at(-1) ?? '').trim();
}

/** SIGTERM, then SIGKILL if it has not exited in time; resolves when the process is gone. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
