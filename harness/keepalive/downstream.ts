/**
 * The downstream side of one probed connection: what keeps a pooled connection to the upstream and
 * decides when to retire it. Three shapes, one interface:
 *  - a plain keep-alive client (the first hop of a chain: a load balancer or an application),
 *    built on the gateway's own target agent so the idle limit and the hint rule are the same code;
 *    a failed exchange is a client error, which a load balancer would answer with 502;
 *  - the harness's gateway with the hop's idle limit and hint policy; a failed exchange is its 502;
 *  - a gateway the user runs.
 * A gateway is reached over a connection opened just before the request is due, so that the only
 * pooled connection under test is the gateway's own, and the request leaves at the chosen instant
 * rather than one TCP handshake later.
 */
import http from 'node:http';
import net from 'node:net';
import { personalities } from '../gateway/personalities.ts';
import { createGateway } from '../gateway/gateway.ts';
import { createTargetAgent } from '../gateway/target-agent.ts';
import type { TraceKind, TraceSink } from '../trace.ts';

export type Outcome =
  /** retried: it failed first and the downstream's retry, on a new connection, answered */
  | { kind: 'ok'; status: number; retried?: boolean }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'timeout' };

export type Method = 'GET' | 'POST';

export interface Downstream {
  /** Sends one request (tagged with the trial's id) and says what came back. */
  send(id: string, method?: Method): Promise<Outcome>;
  /**
   * Readies a request so that firing it writes at once: opens the connection to a gateway now.
   * The returned function must be called; it settles by itself.
   */
  prepare(id: string, method?: Method): Promise<() => Promise<Outcome>>;
  /** what the downstream's pool reports, for downstreams that run in this process */
  readonly pool?: PoolView;
  /** how many requests a real product has seen fail on a reused connection so far (it logs them even when it retries) */
  failuresLogged?(): number;
  close(): Promise<void>;
}

/** The probe's only window into a downstream's pool: the trace events of its target agent. */
export interface PoolView {
  /** resolves when the first pooled connection can no longer be picked: retired, or closed */
  readonly firstConnectionGone: Promise<number>;
}

/**
 * The agent's signs that a pooled connection can no longer be picked: it retired it (and destroys
 * it at once), or the socket is gone. A FIN alone is not one: until the socket closes, Node's agent
 * can still hand the half-closed connection to a request.
 */
const LET_GO: ReadonlySet<TraceKind> = new Set(['idle-retired', 'rst-received', 'socket-closed']);

function poolWatch(): { view: PoolView; sink: TraceSink } {
  let gone: (at: number) => void = () => {};
  const firstConnectionGone = new Promise<number>((resolve) => (gone = resolve));
  const sink: TraceSink = (event) => {
    if (event.conn === 'target#1' && LET_GO.has(event.kind)) gone(event.at);
  };
  return { view: { firstConnectionGone }, sink };
}

export interface RetirePolicy {
  /** retire an idle pooled connection after this long (real ms) */
  idleTimeoutMs: number;
  /** apply Node's rule to a Keep-Alive: timeout=N hint (N s − 1 s; N ≤ 1: no reuse) */
  honourKeepAliveHint: boolean;
  /** undici: what it subtracts from a hint (its keepAliveTimeoutThreshold), and the most a hint may give (keepAliveMaxTimeout) */
  undici?: { thresholdMs: number; maxMs: number } | undefined;
}

/** The query parameter that tells the probe's backend which trial a request belongs to. */
export const PROBE_PARAMETER = 'faultgate-probe';

export function probeUrl(base: string, id: string): string {
  return `${base}${base.includes('?') ? '&' : '?'}${PROBE_PARAMETER}=${encodeURIComponent(id)}`;
}

/** A request bounded in time: it settles by itself, also when nobody answers. */
function exchange(url: string, options: http.RequestOptions, timeoutMs: number, method: Method = 'GET', onRequest?: (req: http.ClientRequest) => void): Promise<Outcome> {
  const body = method === 'POST' ? '{"probe":true}' : undefined;
  const headers = { ...options.headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) };
  return new Promise((resolve) => {
    const req = http.request(url, { ...options, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve(status === 200 ? { kind: 'ok', status } : { kind: 'status', status, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? '', message: error.message }));
    });
    req.setTimeout(timeoutMs, () => {
      resolve({ kind: 'timeout' });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? '', message: error.message }));
    onRequest?.(req);
    req.end(body);
  });
}

export function clientDownstream(upstreamUrl: string, policy: RetirePolicy, timeoutMs: number): Downstream {
  const pool = poolWatch();
  // A Node client's pool: its idle limit is the socket's own timer.
  const agent = createTargetAgent('http', { idleTimeoutMs: policy.idleTimeoutMs, honourKeepAliveHint: policy.honourKeepAliveHint, rejectUnauthorized: true, quietLimits: 'socket-timer' }, pool.sink);
  const send = (id: string, method: Method = 'GET') => exchange(probeUrl(`${upstreamUrl}/`, id), { agent }, timeoutMs, method, (req) => agent.begin(req));
  return {
    send,
    pool: pool.view,
    // The agent hands a pooled connection to a request synchronously: nothing to ready.
    prepare: async (id, method) => () => send(id, method),
    close: async () => agent.destroy(),
  };
}

export async function gatewayDownstream(
  personality: 'edge' | 'microgateway',
  upstreamUrl: string,
  policy: RetirePolicy,
  logDir: string,
  timeoutMs: number,
): Promise<Downstream> {
  // The personality's own names for the same two things (see harness/config/).
  const definition = personalities[personality];
  const settings = definition.withLogDir(definition.poolSettings(policy), logDir);
  const pool = poolWatch();
  const gateway = await createGateway({ personality, target: upstreamUrl, settings, port: 0, trace: pool.sink });
  return { ...urlDownstream(`${gateway.url}/`, timeoutMs, () => gateway.close()), pool: pool.view };
}

/**
 * A gateway at a URL (path included): each request on a connection of its own, opened by the probe
 * and closed once the answer is in. The request says keep-alive rather than Node's default
 * "Connection: close": gateways pass that header on to the target (microgateway-core clones the
 * request headers), and a target told to close would make the gateway's pooled connection useless
 * for the very reuse under test.
 */
export function urlDownstream(url: string, timeoutMs: number, close: () => Promise<void> = async () => {}): Downstream {
  const target = new URL(url);
  const port = Number(target.port || 80);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const headers = { connection: 'keep-alive' };
  const opened = new Set<net.Socket>();

  const connect = (): Promise<net.Socket | Outcome> => {
    const socket = net.connect({ host, port });
    opened.add(socket);
    socket.once('close', () => opened.delete(socket));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({ kind: 'error', code: error.code ?? '', message: error.message });
      });
    });
  };
  // With no agent, Node writes the request on the connection createConnection returns.
  const over = (socket: net.Socket, id: string, method: Method) =>
    exchange(probeUrl(url, id), { headers, createConnection: () => socket }, timeoutMs, method).finally(() => socket.destroy());

  const prepare = async (id: string, method: Method = 'GET') => {
    const socket = await connect();
    return socket instanceof net.Socket ? () => over(socket, id, method) : async () => socket;
  };
  return {
    send: async (id, method) => (await prepare(id, method))(),
    prepare,
    async close() {
      for (const socket of opened) socket.destroy();
      await close();
    },
  };
}

/** A failed exchange: the downstream's client got an error, or a gateway's 502. */
export const failed = (outcome: Outcome) => outcome.kind === 'error' || (outcome.kind === 'status' && outcome.status === 502);

/**
 * A modelled hop's retry policy: a request that failed is sent once more, on a new connection,
 * when the policy sends that method again (nginx's proxy_next_upstream, a client's own retry).
 * A real product (nginx) retries by itself and is not wrapped.
 */
export function withRetries(downstream: Downstream, policy: { get: boolean; post: boolean }): Downstream {
  if (!policy.get && !policy.post) return downstream;
  const again = (method: Method) => (method === 'GET' ? policy.get : policy.post);
  const prepare = async (id: string, method: Method = 'GET') => {
    const fire = await downstream.prepare(id, method);
    return async () => {
      const outcome = await fire();
      if (!failed(outcome) || !again(method)) return outcome;
      const second = await (await downstream.prepare(`${id}-retry`, method))();
      return second.kind === 'ok' ? { ...second, retried: true } : second;
    };
  };
  return { ...downstream, prepare, send: async (id, method) => (await prepare(id, method))() };
}

/**
 * The real undici (the client behind fetch()) as a first hop: its own Agent with the hop's
 * keepAliveTimeout and keepAliveTimeoutThreshold, its own hint rule and its own handling of a
 * connection the server closed. It reports no pool events, so the "after" gap waits as for a
 * gateway elsewhere.
 */
export async function undiciDownstream(upstreamUrl: string, policy: RetirePolicy, timeoutMs: number): Promise<Downstream> {
  // Loaded only when a chain has an undici hop.
  const { Agent: UndiciAgent, request: undiciRequest } = await import('undici');
  const limits = policy.undici ?? { thresholdMs: 2000, maxMs: 600_000 };
  // keepAliveTimeout 0 would mean undici's default: a hop that reuses nothing gets 1 ms.
  const agent = new UndiciAgent({
    connections: 1,
    keepAliveTimeout: Math.max(1, policy.idleTimeoutMs),
    keepAliveTimeoutThreshold: limits.thresholdMs,
    keepAliveMaxTimeout: limits.maxMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const send = async (id: string, method: Method = 'GET'): Promise<Outcome> => {
    const body = method === 'POST' ? '{"probe":true}' : undefined;
    try {
      const response = await undiciRequest(probeUrl(`${upstreamUrl}/`, id), { dispatcher: agent, method, body, headers: body ? { 'content-type': 'application/json' } : {} });
      const text = await response.body.text();
      return response.statusCode === 200 ? { kind: 'ok', status: 200 } : { kind: 'status', status: response.statusCode, body: text };
    } catch (error) {
      const failure = error as { code?: string; message?: string };
      return failure.code === 'UND_ERR_HEADERS_TIMEOUT' ? { kind: 'timeout' } : { kind: 'error', code: failure.code ?? '', message: failure.message ?? String(error) };
    }
  };
  return { send, prepare: async (id, method) => () => send(id, method), close: () => agent.close() };
}
