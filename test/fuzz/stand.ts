/**
 * What the fuzzer runs against: each personality in front of each backend, in this process, with
 * short limits; and the three checks made after every generated request: the process is alive (no
 * uncaught exception since the stand came up), the gateway still answers a plain GET as it did
 * before, and the process holds no more sockets than before.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type BackendName, type RunningBackend } from '../../faulty-backends/index.ts';
import { createGateway, type Gateway } from '../../harness/gateway/gateway.ts';
import type { PersonalityName } from '../../harness/gateway/personality.ts';
import type { FuzzRequest } from './grammar.ts';

export interface Pair {
  readonly name: string;
  readonly gateway: Gateway;
  /**
   * The statuses two plain GETs got when the stand came up, on a new connection to the target and
   * on the pooled one: a backend that answers once per connection and then stays silent makes the
   * second one wait for the gateway's limit, as it would in front of the product.
   */
  readonly baseline: readonly number[];
}

export interface Stand {
  readonly pairs: readonly Pair[];
  /** uncaught exceptions since the stand came up */
  readonly uncaught: Error[];
  /**
   * The sockets the gateways hold: the process's, less those the backends (in this process too)
   * hold, which are the backends' business: a target that keeps a connection its peer has left
   * is what some of them are for.
   */
  gatewaySockets(): number;
  close(): Promise<void>;
}

/** Short limits, so that a request to a silent target is answered in well under a second. */
const settingsFor = (personality: PersonalityName, logDir: string): Record<string, unknown> =>
  personality === 'edge'
    ? { 'logging.dir': logDir, 'connect.timeout.millis': 300, 'io.timeout.millis': 300 }
    : { edgemicro: { port: 0, request_timeout: 1, logging: { dir: logDir, level: 'error' } }, targets: [{ ssl: { client: { rejectUnauthorized: false } } }] };

/**
 * Backend settings of the stand. idle-closer's default 5 s idle limit is shorter than both
 * gateways' (Edge keeps idle target connections 60 s, Microgateway for ever): a plain GET that
 * reuses a connection idle that long races the target's FIN and may get the 502 this project
 * reproduces on purpose, which on a loaded machine, where a run outlasts 5 s, it did. The fuzz
 * looks for robustness, not that race: here the target keeps its connections an hour.
 */
const backendSettings: Partial<Record<BackendName, Record<string, unknown>>> = { 'idle-closer': { idleTimeoutMs: 3_600_000 } };

export async function startStand(personalities: readonly PersonalityName[], backendNames: readonly BackendName[]): Promise<Stand> {
  const uncaught: Error[] = [];
  const monitor = (error: Error) => uncaught.push(error);
  process.on('uncaughtExceptionMonitor', monitor);
  const logDir = mkdtempSync(join(tmpdir(), 'faultgate-fuzz-'));
  const running: RunningBackend[] = [];
  const gateways: Gateway[] = [];
  const started: { name: string; gateway: Gateway }[] = [];
  let backendSockets = 0;
  for (const backendName of backendNames) {
    const backend = await startBackend(backendName, backendSettings[backendName] ?? {});
    running.push(backend);
    backend.on('trace', (event) => {
      if (event.kind === 'accepted') backendSockets++;
      else if (event.kind === 'socket-closed') backendSockets--;
    });
    for (const personality of personalities) {
      const gateway = await createGateway({ personality, target: backend.url, port: 0, settings: settingsFor(personality, logDir) });
      gateways.push(gateway);
      started.push({ name: `${personality} → ${backendName}`, gateway });
    }
  }
  const pairs: Pair[] = await Promise.all(started.map(async (pair) => ({ ...pair, baseline: [await plainGet(pair.gateway.url), await plainGet(pair.gateway.url)] })));
  return {
    pairs,
    uncaught,
    gatewaySockets: () => socketCount() - backendSockets,
    async close() {
      process.off('uncaughtExceptionMonitor', monitor);
      await Promise.all(gateways.map((gateway) => gateway.close()));
      await Promise.all(running.map((backend) => backend.close()));
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/**
 * A plain GET on a connection of its own; resolves with the status once the answer's head is in
 * (0: none within 5 s). The body is not waited for: Microgateway leaves a body the target cut short
 * unfinished, as microgateway-core does. Sent as curl sends it, keep-alive: a `Connection: close`
 * would reach the target through Microgateway and close the pooled connection (or, with a target
 * that ignores it, leave it half-closed), which the socket count would take for a leak.
 */
export function plainGet(url: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true });
  return new Promise<number>((resolve) => {
    const req = http.get(`${url}/plain`, { agent, timeout: 5000 }, (res) => {
      resolve(res.statusCode ?? 0);
      res.on('error', () => {});
      req.destroy();
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  }).finally(() => agent.destroy());
}

/** The sockets this process holds, as the kernel counts them. */
export function socketCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) count++;
    } catch {
      // closed while listed
    }
  }
  return count;
}

/** Resolves with the count once it is at most `limit`, or with the last count after `withinMs`. */
export async function socketsSettle(count: () => number, limit: number, withinMs: number): Promise<number> {
  const deadline = performance.now() + withinMs;
  let last = count();
  while (last > limit && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    last = count();
  }
  return last;
}

/** Whether a response in `data` is complete, for a request with `method`. */
function answered(data: Buffer, method: string): boolean {
  let text = data.toString('latin1');
  // Interim answers (100 Continue) come before the final one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  const status = Number(head.slice(9, 12));
  if (method === 'HEAD' || status === 204 || status === 304) return true;
  const length = /\r\ncontent-length: *(\d+)/.exec(head)?.[1];
  if (length !== undefined) return text.length - end - 4 >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) return text.endsWith('0\r\n\r\n');
  return false;
}

/**
 * Sends one generated request as raw bytes and does what it says: waits for the answer (or the
 * connection's end, at most `waitMs`), or stops with a FIN or an RST after `stopAt` bytes. Resolves
 * once the client socket is closed.
 */
export function sendRaw(url: string, request: FuzzRequest, waitMs: number): Promise<void> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (request.ending === 'read' && answered(Buffer.concat(chunks), request.method)) socket.destroy();
    });
    socket.on('end', () => socket.destroy());
    socket.once('connect', () => {
      if (request.ending === 'read') {
        socket.write(request.bytes);
        return;
      }
      socket.write(request.bytes.subarray(0, request.stopAt), () => {
        if (request.ending === 'fin') socket.end();
        else socket.resetAndDestroy();
      });
    });
  });
}
