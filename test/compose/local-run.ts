/**
 * Runs docker-compose.yml's services as local processes: each service's own command with its own
 * environment, translated the way the containers' network would be: every address to loopback,
 * every fixed port to an ephemeral one, every service name in a target URL to the port that service
 * actually got, every named volume to a folder. Services start in depends_on order, each once the
 * services it needs have printed their URL. Every process is stopped and awaited when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';
import { FAULTGATE } from '../helpers.ts';
import { faultgateArguments, isUnder, mountsOf, projectRoot, type ComposeFile, type ComposeService } from './compose-file.ts';

export interface LocalService {
  readonly name: string;
  /** the first line of its stdout */
  readonly url: string;
  readonly port: number;
  /** the environment it was started with, after translation */
  readonly env: Readonly<Record<string, string>>;
  /** what it wrote on stderr so far */
  stderr(): string;
  /** undefined while it runs; its exit code, or the signal that ended it */
  ended(): number | NodeJS.Signals | undefined;
  /** SIGTERM, then its exit code once it has exited */
  stop(): Promise<number | null>;
}

/** What a child needs from this process's environment to run node at all; nothing else leaks in. */
function baseEnvironment(): Record<string, string> {
  return Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key] as string]])));
}

/** The compose environment of one service, as it must be to run here beside the others. */
export function localEnvironment(compose: ComposeFile, service: ComposeService, running: ReadonlyMap<string, LocalService>, volumesDir: string): Record<string, string> {
  const env: Record<string, string> = { ...service.environment, FAULTGATE_HOST: '127.0.0.1', FAULTGATE_PORT: '0' };
  const target = env.FAULTGATE_TARGET;
  if (target !== undefined) {
    const url = new URL(target);
    const peer = running.get(url.hostname);
    if (peer) {
      const containerPort = compose.services[url.hostname]?.environment.FAULTGATE_PORT;
      if (url.port !== containerPort) throw new Error(`target ${target}: service ${url.hostname} listens on ${containerPort ?? '(no fixed port)'}`);
      url.hostname = '127.0.0.1';
      url.port = String(peer.port);
      // URL.href adds a trailing slash the compose value may not have had.
      env.FAULTGATE_TARGET = target.endsWith('/') ? url.href : url.href.replace(/\/$/, '');
    } else if (compose.services[url.hostname]) {
      throw new Error(`target ${target}: service ${url.hostname} is not running yet; it belongs in depends_on`);
    }
  }
  for (const mount of mountsOf(compose, service).filter((candidate) => candidate.named)) {
    for (const [key, value] of Object.entries(env)) {
      if (isUnder(value, mount.target)) env[key] = join(volumesDir, mount.source, value.slice(mount.target.length));
    }
  }
  return env;
}

/**
 * Starts every service, each after what it depends on, and resolves each one's entry when it is
 * listening. The services named in `first` (with what they depend on) start at once; the others
 * once those are up, so that they compete for the processor only while the first ones wait.
 */
export function startServices(compose: ComposeFile, volumesDir: string, first: readonly string[] = [], restAfter: Promise<unknown> = Promise.resolve()): Map<string, Promise<LocalService>> {
  const started = new Map<string, Promise<LocalService>>();
  const running = new Map<string, LocalService>();
  const start = (name: string, chain: readonly string[], after: Promise<unknown>): Promise<LocalService> => {
    const existing = started.get(name);
    if (existing) return existing;
    const service = compose.services[name];
    if (!service) return Promise.reject(new Error(`no service ${name} (needed by ${chain.join(' → ')})`));
    if (chain.includes(name)) return Promise.reject(new Error(`depends_on cycle: ${[...chain, name].join(' → ')}`));
    const needs = Object.keys(service.depends_on).map((need) => start(need, [...chain, name], after));
    const promise = Promise.all([after, ...needs]).then(async () => {
      const local = await runService(name, faultgateArguments(name, service), localEnvironment(compose, service, running, volumesDir));
      running.set(name, local);
      return local;
    });
    started.set(name, promise);
    return promise;
  };
  const firstUp = Promise.allSettled([...first.map((name) => start(name, [], Promise.resolve())), restAfter]);
  for (const name of Object.keys(compose.services)) start(name, [], firstUp).catch(() => {});
  return started;
}

/** Spawns the faultgate command (from the sources, as the tests run it) with `<args>` and resolves once it has printed its URL. */
export async function runService(name: string, args: readonly string[], env: Record<string, string>): Promise<LocalService> {
  const child = spawn(process.execPath, [FAULTGATE, ...args], { cwd: projectRoot, env: { ...baseEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  onTestFinished(() => stopChild(child, exited).then(() => undefined));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));

  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = once(lines, 'line') as Promise<[string]>;
  const url = await Promise.race([
    first.then(([line]) => line),
    exited.then(([code, signal]) => {
      throw new Error(`service ${name}: exited (${code ?? signal}) before printing its URL: ${stderr.trim()}`);
    }),
  ]);
  const port = Number(new URL(url).port);
  const ended = () => child.exitCode ?? child.signalCode ?? undefined;
  return { name, url, port, env, stderr: () => stderr, ended, stop: () => stopChild(child, exited) };
}

/** SIGTERM and wait for the exit; a process that ignores it past a bound is killed, so none outlives its test. */
async function stopChild(child: ChildProcess, exited: Promise<[number | null, NodeJS.Signals | null]>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const guard = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited.finally(() => clearTimeout(guard));
  }
  const [code] = await exited;
  return code;
}

/** The script of a service's healthcheck, which must be compose's exec form `CMD bash -c <script>`. */
function healthcheckScript(service: ComposeService, name: string): string {
  const [form, program, option, script, ...rest] = service.healthcheck.test;
  if (form !== 'CMD' || program !== 'bash' || option !== '-c' || script === undefined || rest.length > 0) {
    throw new Error(`service ${name}: healthcheck ${service.healthcheck.test.join(' ')} is not "CMD bash -c <script>"`);
  }
  // Compose turns $$ into the $ that bash then expands.
  return script.replaceAll('$$', '$');
}

/**
 * Runs services' healthchecks here, each pointed at the port its service got, and resolves to their
 * exit codes in order. Each runs as the container runs it, `bash -c <script>` with FAULTGATE_PORT
 * set, one after another under one outer bash: the test's worker spawns once, not once per check
 * (in a full suite, both cores busy, its 64 spawns held it about 0.7 s).
 */
export async function runHealthchecks(checks: readonly { service: ComposeService; local: Pick<LocalService, 'name' | 'port'> }[]): Promise<(number | null)[]> {
  const runEach = 'while [ $# -gt 0 ]; do FAULTGATE_PORT=$1 bash -c "$2"; echo $?; shift 2; done';
  const args = checks.flatMap(({ service, local }) => [String(local.port), healthcheckScript(service, local.name)]);
  const outer = spawn('bash', ['-c', runEach, 'healthchecks', ...args], { env: baseEnvironment(), stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  outer.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  const [code] = (await once(outer, 'close')) as [number | null];
  const codes = output.split('\n').filter(Boolean).map(Number);
  if (code !== 0 || codes.length !== checks.length) throw new Error(`the healthchecks' runner ended with ${code}, after ${codes.length} of ${checks.length} checks`);
  return codes;
}
