/**
 * What the tests share: a plain HTTP client that reports errors as values, temporary folders, and
 * starters that register their own cleanup on the next line (every server closed, every folder
 * removed, every child process ended, also when the test fails); raw TCP clients that record what
 * came back, free ports, and the faultgate command run as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { startBackend as startNamedBackend, type BackendName } from '../faulty-backends/index.ts';
import type { RunningBackend } from '../faulty-backends/backend.ts';
import type { TraceEvent } from '../harness/trace.ts';
import { portBelowEphemeralRange } from '../harness/listen.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../harness/gateway/gateway.ts';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** ms from the request being sent to the response ending */
  elapsedMs: number;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: http.OutgoingHttpHeaders;
  /** default: a keep-alive agent of its own, closed once the response has ended */
  agent?: http.Agent | false;
}

/**
 * One request, as curl makes it: HTTP/1.1 keep-alive, not `Connection: close` (which Microgateway,
 * like microgateway-core, passes on to the target and so would stop the target pooling the
 * connection).
 */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const started = performance.now();
  const ownAgent = options.agent === undefined ? new http.Agent({ keepAlive: true }) : undefined;
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? ownAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: performance.now() - started }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  }).finally(() => ownAgent?.destroy());
}

/** What a client saw of one exchange, whatever happened to it. */
export interface ClientView {
  /** absent when no response head came */
  status?: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  bodyBytes: number;
  /** 'completed': the response ended as framed; 'cut': the connection closed first; 'open': neither, by the deadline */
  end: 'completed' | 'cut' | 'open';
  elapsedMs: number;
}

/**
 * One request on a connection of its own, reported whatever happens: a response that completes,
 * one cut short, or nothing more by `openAfterMs` (then the client gives up and says 'open').
 */
export function exchange(url: string, options: { method?: string; body?: Buffer; openAfterMs: number; maxHeaderSize?: number }): Promise<ClientView> {
  const started = performance.now();
  return new Promise((resolve) => {
    const view: ClientView = { headers: {}, body: '', bodyBytes: 0, end: 'open', elapsedMs: 0 };
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (end: ClientView['end']) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const body = Buffer.concat(chunks);
      resolve({ ...view, body: body.toString('utf8'), bodyBytes: body.length, end, elapsedMs: performance.now() - started });
      req.destroy();
    };
    const deadline = setTimeout(() => settle('open'), options.openAfterMs);
    const limit = options.maxHeaderSize === undefined ? {} : { maxHeaderSize: options.maxHeaderSize };
    const req = http.request(url, { method: options.method ?? 'GET', agent: false, ...limit }, (res) => {
      view.status = res.statusCode;
      view.headers = res.headers;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => settle('completed'));
      res.on('error', () => settle('cut'));
    });
    req.on('error', () => settle('cut'));
    req.end(options.body);
  });
}

/**
 * Whoever closes what a test started, when the test has finished: vitest's onTestFinished, which
 * knows the running test only when tests run one at a time. A concurrent test passes its own
 * context's onTestFinished (as with runCli): given the global one, a concurrent test's gateway
 * would be closed when another test of the file finished, mid-request.
 */
export type WhenFinished = (cleanup: () => void | Promise<void>) => void;

export function tempDir(whenFinished: WhenFinished = onTestFinished): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultgate-test-'));
  whenFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startBackend(name: BackendName, settings: Record<string, unknown> = {}, whenFinished: WhenFinished = onTestFinished): Promise<RunningBackend> {
  const backend = await startNamedBackend(name, settings);
  whenFinished(() => backend.close());
  return backend;
}

export async function startGateway(options: Omit<GatewayOptions, 'port'> & { port?: number }, whenFinished: WhenFinished = onTestFinished): Promise<Gateway> {
  const gateway = await createGateway({ port: 0, ...options });
  whenFinished(() => gateway.close());
  return gateway;
}

/** Collects a gateway's product-format lines as they are written. */
export function collectLines(gateway: Gateway): string[] {
  const lines: string[] = [];
  gateway.on('log', (line) => lines.push(line));
  return lines;
}

/** A port that was free a moment ago (nothing listens on it when this resolves). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves to the error code of a TCP connect to the port ('ECONNREFUSED' when nothing listens), or 'connected'. */
export function connectOutcome(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A raw TCP client that records every byte, the moment of the peer's FIN, and errors. */
export interface RawClient {
  readonly socket: net.Socket;
  /** performance.now() when the connection was made */
  readonly connectedAt: number;
  /** everything received so far */
  received(): Buffer;
  /** resolves with performance.now() when the peer's FIN arrives */
  readonly ended: Promise<number>;
  /** resolves with the socket error (e.g. ECONNRESET); never rejects */
  readonly failed: Promise<NodeJS.ErrnoException>;
  /** resolves when the socket is closed */
  readonly closed: Promise<void>;
  /** resolves once at least `bytes` bytes have arrived */
  receivedAtLeast(bytes: number): Promise<Buffer>;
}

export async function rawConnect(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<RawClient> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? true });
  onTestFinished(() => {
    socket.destroy();
  });
  const chunks: Buffer[] = [];
  const waiters: { bytes: number; resolve: (data: Buffer) => void }[] = [];
  const received = () => Buffer.concat(chunks);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    const data = received();
    for (const waiter of waiters.filter((each) => data.length >= each.bytes)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(data);
    }
  });
  const ended = new Promise<number>((resolve) => socket.once('end', () => resolve(performance.now())));
  const failed = new Promise<NodeJS.ErrnoException>((resolve) => socket.on('error', resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return {
    socket,
    connectedAt: performance.now(),
    received,
    ended,
    failed,
    closed,
    receivedAtLeast: (bytes) => (received().length >= bytes ? Promise.resolve(received()) : new Promise((resolve) => waiters.push({ bytes, resolve }))),
  };
}

/** Resolves with `value` after `ms`: to show that something does NOT happen, race it against this. */
export function quietFor<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(value), ms);
    onTestFinished(() => clearTimeout(timer));
  });
}

/** The faultgate command from the sources (through tsx); the package's bin/faultgate.js runs the compiled dist/. */
export const FAULTGATE = fileURLToPath(new URL('./faultgate.js', import.meta.url));

/**
 * The environment without anything that would configure faultgate behind the test's back, and
 * without colours (a CI variable would otherwise turn them on for piped output).
 */
export function cleanEnvironment(): NodeJS.ProcessEnv {
  const settingNames = new Set(['org', 'env', 'api', 'rev', 'version', 'target_idle_timeout', 'honour_keep_alive_hint']);
  const kept = Object.entries(process.env).filter(([key]) => !key.startsWith('FAULTGATE_') && !settingNames.has(key) && !key.includes('.'));
  return { ...Object.fromEntries(kept), NO_COLOR: '1' };
}

export interface CliResult {
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `faultgate <args>` to its end. In a concurrent test, pass the test context's
 * onTestFinished, which is the one that knows the test.
 */
export function runCli(args: readonly string[], whenFinished: WhenFinished = onTestFinished, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAULTGATE, ...args], { env: { ...cleanEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    whenFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ pid: child.pid, code, signal, stdout, stderr }));
  });
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** the first line it printed (the URL) */
  readonly firstLine: string;
  /** Sends the signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/**
 * Starts `faultgate <args>` and resolves once its first stdout line (the URL) is printed; rejects
 * with its stderr when it exits before that. The process is killed at the end of the test if it
 * still runs.
 */
export function startCli(args: readonly string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [FAULTGATE, ...args], { env: cleanEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (started || end === -1) return;
      started = true;
      resolve({
        child,
        firstLine: stdout.slice(0, end),
        async stop(signal: NodeJS.Signals = 'SIGINT') {
          child.kill(signal);
          const { code, signal: endedBy } = await exited;
          return { pid: child.pid, code, signal: endedBy, stdout, stderr };
        },
      });
    });
    child.once('error', reject);
    void exited.then(({ code }) => {
      if (!started) reject(new Error(`faultgate ${args.join(' ')} exited ${code} before printing a line: ${stderr}`));
    });
  });
}

/** Anything that records trace events and reports new ones: a backend, the relay. */
export interface TraceSource {
  readonly events: readonly TraceEvent[];
  on(event: 'trace', listener: (event: TraceEvent) => void): unknown;
  off(event: 'trace', listener: (event: TraceEvent) => void): unknown;
}

/** Resolves with the first event, already recorded or still to come, that matches. */
export function traced(source: TraceSource, matches: (event: TraceEvent) => boolean): Promise<TraceEvent> {
  const seen = source.events.find(matches);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const listener = (event: TraceEvent) => {
      if (!matches(event)) return;
      source.off('trace', listener);
      resolve(event);
    };
    source.on('trace', listener);
  });
}

/**
 * The pids of the processes with a socket listening on each of these TCP ports, read from /proc:
 * after a process exits, another test's listen(0) may be given the port it held, and this tells
 * the two apart. One pass for all the ports: a pass reads every descriptor of every process, which
 * costs tens of milliseconds of CPU while the suite runs; none when no port is listened on.
 */
export function listenersByPort(ports: readonly number[]): Map<number, number[]> {
  const listening = new Map<number, number[]>(ports.map((port) => [port, []]));
  // state 0A is LISTEN
  const portOfInode = new Map<string, number>();
  for (const socket of tcpSockets()) if (socket.state === '0A' && listening.has(socket.localPort)) portOfInode.set(socket.inode, socket.localPort);
  if (portOfInode.size === 0) return listening;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        const port = inode === undefined ? undefined : portOfInode.get(inode);
        const pids = port === undefined ? undefined : listening.get(port);
        if (pids && !pids.includes(Number(pid))) pids.push(Number(pid));
      }
    } catch {
      // the process went away, or is not ours to read
    }
  }
  return listening;
}

/** Whether a process is alive: an exited one waiting to be reaped (state Z) is not. */
export function isRunning(pid: number): boolean {
  try {
    const state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The pids of the processes with a socket listening on this TCP port (listenersByPort). */
export function listenerPids(port: number): number[] {
  return listenersByPort([port]).get(port) ?? [];
}

/**
 * The pids that listen on the port now, [] when connections to it are refused. A test asserts
 * that the process it stopped is not among them: a refused port, or one another test's listen(0)
 * has been given since.
 */
export async function listenersOf(port: number): Promise<number[]> {
  return (await connectOutcome(port)) === 'connected' ? listenerPids(port) : [];
}

/**
 * A free port outside the kernel's ephemeral range, for a server that must listen on a port given
 * in advance (a probe's backend that a gateway already points at): no other test's listen(0) can
 * be handed it in the meantime, as it could a port from freePort().
 */
export const reservedPort = (): Promise<number> => portBelowEphemeralRange('127.0.0.1');

/** TCP states in /proc/net/tcp: FIN_WAIT2 (05), CLOSE_WAIT (08) — one side of a connection has sent its FIN. */
const HALF_CLOSED = new Set(['05', '08']);

/** The inodes of a process's TCP sockets that are half-closed now (with `port` at either end, when given). */
export function halfClosedSockets(pid: number, port?: number): Set<string> {
  const half = socketsOf(pid).filter((socket) => HALF_CLOSED.has(socket.state) && (port === undefined || socket.localPort === port || socket.remotePort === port));
  return new Set(half.map((socket) => socket.inode));
}

/** The TCP sockets a process holds open now. */
function socketsOf(pid: number): ReturnType<typeof tcpSockets> {
  const owned = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) owned.add(inode);
    }
  } catch {
    return [];
  }
  return tcpSockets().filter((socket) => owned.has(socket.inode));
}

/** Every TCP socket the kernel lists in /proc/net/tcp and tcp6: state (hex), ports, and inode. */
function tcpSockets(): { state: string; localPort: number; remotePort: number; inode: string }[] {
  const sockets: { state: string; localPort: number; remotePort: number; inode: string }[] = [];
  const portOf = (address: string | undefined) => parseInt((address ?? '').split(':').at(-1) ?? '', 16);
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      sockets.push({ state: fields[3] ?? '', localPort: portOf(fields[1]), remotePort: portOf(fields[2]), inode: fields[9] ?? '' });
    }
  }
  return sockets;
}

/**
 * Resolves once `condition` holds, read every `everyMs`; fails with `what()` past `deadlineMs`.
 * For states only the kernel records (sockets, processes), which no event announces here.
 */
export async function pollUntil(condition: () => boolean, what: () => string, deadlineMs = 10_000, everyMs = 10): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(what());
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Resolves when a socket of the process becomes half-closed that was not among `before`: the
 * kernel's record that a FIN was sent or received. Read every 10 ms, up to `deadlineMs`.
 */
export function nextHalfClose(pid: number, port: number, before: ReadonlySet<string>, deadlineMs = 10_000): Promise<void> {
  return pollUntil(
    () => [...halfClosedSockets(pid, port)].some((inode) => !before.has(inode)),
    () => `no socket of process ${pid} was half-closed within ${deadlineMs} ms`,
    deadlineMs,
  );
}

/**
 * Resolves once the process holds no connection to `port` any more (it has closed every socket
 * whose far end is that port): e.g. a pooled connection the target closed is gone from the
 * gateway too. Read every 10 ms, up to `deadlineMs`.
 */
export function connectionsGone(pid: number, port: number, deadlineMs = 10_000): Promise<void> {
  return pollUntil(
    () => !socketsOf(pid).some((socket) => socket.remotePort === port),
    () => `process ${pid} still holds a connection to port ${port} after ${deadlineMs} ms`,
    deadlineMs,
  );
}
