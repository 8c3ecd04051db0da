/**
 * The gateway's pool of connections to the target, and what it knows about each one.
 *
 * A Node keep-alive agent with three things added:
 *  - every connection gets a record (when it was opened, connected, secured, half-closed by the
 *    target; how often it was used) that the failure classifier reads, so personalities never
 *    touch sockets;
 *  - the idle policy is explicit: an idle pooled connection is retired after `idleTimeoutMs`, or
 *    never; and a `Keep-Alive: timeout=N` hint is honoured only when the policy says so. Node's
 *    own agent honours the hint only when it has a `timeout` of its own, which microgateway-core's
 *    agent does not, so that choice has to be a setting here;
 *  - TLS runs over a TCP socket the agent opens itself, so the bytes of the Client Hello can be
 *    counted even when no handshake ever completes.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { MAX_TIMER_MS } from '../config/fields.ts';
import { now, type TraceKind, type TraceSink } from '../trace.ts';
import type { ExchangeState } from './failures.ts';

export interface TargetPolicy {
  /** abandon a TCP connect after this long (undefined: the operating system's limit) */
  connectTimeoutMs?: number | undefined;
  /** abandon a TLS handshake that has not completed this long after the TCP connect (a wall-clock limit) */
  handshakeTimeoutMs?: number | undefined;
  /** abandon a request when its connection has been silent this long (Node's socket inactivity timeout) */
  ioTimeoutMs?: number | undefined;
  /** retire an idle pooled connection after this long (undefined: keep it until the target closes it) */
  idleTimeoutMs?: number | undefined;
  /** retire a pooled connection at N s − 1 s when the target sent Keep-Alive: timeout=N (Node's rule) */
  honourKeepAliveHint: boolean;
  /** check the target's certificate */
  rejectUnauthorized: boolean;
}

/** What the gateway knows about one connection to the target. */
export interface TargetConnection {
  /** 1, 2, … in the order the gateway opened them */
  readonly id: number;
  /** "target#1" */
  readonly conn: string;
  readonly tls: boolean;
  readonly openedAt: number;
  connectedAt?: number;
  securedAt?: number;
  /** when the target's FIN arrived */
  finAt?: number;
  /** when the target's RST arrived */
  resetAt?: number;
  /** when this connection last went back to the pool */
  idleSince?: number;
  /** how many requests have been given this connection */
  useCount: number;
  /** the request on it now (or last), and what the gateway tracks about it, for the I/O limit */
  request?: http.ClientRequest | undefined;
  exchange?: ExchangeState | undefined;
  /**
   * set when the agent's connect or handshake limit expired, with the connection as it was then and
   * how long the timer actually ran (the gateway's own measure of when it decided; a busy event
   * loop makes it later than `ms`, never earlier)
   */
  limitExpired?: { limit: 'connect' | 'handshake'; ms: number; firedAfterMs: number; connection: ConnectionSnapshot };
  /** the TCP socket under it (the same socket for plain HTTP) */
  readonly raw: net.Socket;
  /** the socket HTTP is spoken on (a TLS socket for https) */
  readonly socket: net.Socket;
}

/** A connection's state frozen at one instant, for log lines written about it. */
export interface ConnectionSnapshot {
  id: number;
  conn: string;
  tls: boolean;
  remote: string;
  local: string;
  useCount: number;
  /** application bytes, as the product counts them (0 before a TLS handshake completes) */
  bytesRead: number;
  bytesWritten: number;
  /** bytes on the wire, TLS records included */
  wireBytesRead: number;
  wireBytesWritten: number;
  ageMs: number;
  /** ms since bytes last moved on this connection */
  lastIOMs: number;
  isOpen: boolean;
  connected: boolean;
  secured: boolean;
}

export function snapshot(connection: TargetConnection, at = now()): ConnectionSnapshot {
  const { raw, socket } = connection;
  // Without a data hook on the raw socket, the last moment bytes moved is the last event that moves
  // them: the handshake's end, or the connect (when TLS writes its Client Hello).
  const lastIO = connection.securedAt ?? connection.connectedAt ?? connection.openedAt;
  return {
    id: connection.id,
    conn: connection.conn,
    tls: connection.tls,
    remote: `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`,
    local: `${raw.localAddress ?? '?'}:${raw.localPort ?? '?'}`,
    useCount: connection.useCount,
    // Until TLS is up, what the HTTP client wrote is only queued: nothing of it has been sent.
    bytesRead: socket.bytesRead,
    bytesWritten: connection.tls && connection.securedAt === undefined ? 0 : socket.bytesWritten,
    wireBytesRead: raw.bytesRead,
    wireBytesWritten: raw.bytesWritten,
    ageMs: at - connection.openedAt,
    lastIOMs: at - lastIO,
    isOpen: !socket.destroyed,
    connected: connection.connectedAt !== undefined,
    secured: connection.securedAt !== undefined,
  };
}

export interface TargetAgent extends http.Agent {
  /** the record of a socket this agent created */
  connectionOf(socket: Duplex): TargetConnection | undefined;
}

type CreateConnectionOptions = net.TcpNetConnectOpts;

/** Node's default interval of TCP keep-alive probes on pooled sockets. */
const KEEP_ALIVE_MSECS = 1000;

/**
 * Builds the agent for the target's protocol. `onIoTimeout` runs when a connection in use has been
 * silent for the policy's I/O limit: one listener per connection, armed per request by
 * the gateway per request, instead of a timeout listener and closure added and removed for every request.
 * Tracing costs listeners per connection, so it is off unless a sink is given.
 */
export function createTargetAgent(
  protocol: 'http' | 'https',
  policy: TargetPolicy,
  trace?: TraceSink,
  onIoTimeout?: (connection: TargetConnection) => void,
): TargetAgent {
  const connections = new WeakMap<Duplex, TargetConnection>();
  let nextId = 1;

  const emit = (connection: TargetConnection, kind: TraceKind, extra?: { bytes?: number; detail?: string }) =>
    trace?.({ at: now(), source: 'target-socket', kind, conn: connection.conn, ...extra });

  /** Called with the TCP socket and the socket HTTP will use (the same one for plain HTTP). */
  const register = (raw: net.Socket, socket: net.Socket, tls: boolean): void => {
    const id = nextId++;
    const connection: TargetConnection = { id, conn: `target#${id}`, tls, openedAt: now(), useCount: 0, raw, socket };
    connections.set(socket, connection);
    if (trace) emit(connection, 'connect-start');

    // One timer at a time: the connect limit until TCP connects, then the handshake limit until TLS is up.
    let timer: NodeJS.Timeout | undefined;
    const arm = (limit: 'connect' | 'handshake', ms: number | undefined) => {
      if (ms === undefined) return;
      const armedAt = now();
      timer = setTimeout(() => {
        const firedAt = now();
        connection.limitExpired = { limit, ms, firedAfterMs: firedAt - armedAt, connection: snapshot(connection, firedAt) };
        if (trace) emit(connection, 'timer-fired', { detail: `${limit} limit ${ms} ms` });
        socket.destroy();
      }, ms);
    };
    arm('connect', policy.connectTimeoutMs);
    raw.once('connect', () => {
      clearTimeout(timer);
      if (tls) arm('handshake', policy.handshakeTimeoutMs);
      connection.connectedAt = now();
      if (trace) {
        emit(connection, 'connected');
        // TLS writes its Client Hello inside the connect handler; its size is known a moment later.
        if (tls) setImmediate(() => emit(connection, 'tls-client-hello', { bytes: raw.bytesWritten }));
      }
    });
    if (tls) {
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        connection.securedAt = now();
        if (trace) emit(connection, 'tls-established', { bytes: raw.bytesRead });
      });
    }
    socket.once('end', () => {
      connection.finAt = now();
      if (trace) emit(connection, 'fin-received');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' && connection.resetAt === undefined && connection.finAt === undefined) {
        connection.resetAt = now();
        if (trace) emit(connection, 'rst-received');
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (trace) emit(connection, 'socket-closed');
    });
    socket.on('timeout', () => {
      if (connection.idleSince !== undefined) {
        // The agent destroys a free socket on 'timeout'; this only says why.
        if (trace) emit(connection, 'idle-retired', { detail: `idle ${Math.round(now() - connection.idleSince)} ms` });
      } else if (connection.request && policy.ioTimeoutMs !== undefined) {
        onIoTimeout?.(connection);
      }
    });
    if (trace) {
      socket.on('data', (chunk: Buffer) => emit(connection, 'bytes-received', { bytes: chunk.length }));
    }
  };

  /** Node's keepSocketAlive, with the idle limit and the hint as this policy says. */
  function keepSocketAlive(socket: net.Socket & { _httpMessage?: { res?: http.IncomingMessage } }): boolean {
    socket.setKeepAlive(true, KEEP_ALIVE_MSECS);
    socket.unref();
    let idleMs = policy.idleTimeoutMs ?? 0;
    if (policy.honourKeepAliveHint) {
      const hint = /^timeout=(\d+)/.exec(String(socket._httpMessage?.res?.headers['keep-alive'] ?? ''))?.[1];
      if (hint !== undefined) {
        const early = Number(hint) * 1000 - 1000;
        if (early <= 0) return false; // too short to reuse safely
        // A hint longer than any timer can hold sets no limit of its own.
        if (early <= MAX_TIMER_MS && (idleMs === 0 || early < idleMs)) idleMs = early;
      }
    }
    if (socket.timeout !== idleMs) socket.setTimeout(idleMs);
    const connection = connections.get(socket);
    if (connection) {
      connection.idleSince = now();
      // An idle connection holds on to nothing of the request it served.
      connection.request = undefined;
      connection.exchange = undefined;
    }
    return true;
  }

  function reuseSocket(socket: net.Socket): void {
    // A reused socket must not carry the idle limit into its next request; when the gateway arms
    // its I/O limit on every request, that replaces the idle one anyway, and one timer update is
    // saved per request.
    if (policy.ioTimeoutMs === undefined) socket.setTimeout(0);
    const connection = connections.get(socket);
    if (connection) connection.idleSince = undefined;
  }

  const agentOptions: https.AgentOptions = { keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MSECS, rejectUnauthorized: policy.rejectUnauthorized };
  const connectionOf = (socket: Duplex) => connections.get(socket);

  // Only connecting differs between the protocols; the pool policy is the same for both.
  let agent: http.Agent;
  if (protocol === 'https') {
    // One TLS context for every connection: building one loads the root certificates, which costs
    // tens of ms the first time and a quarter of a hung connection's CPU every time after
    // (bench/, hung connections). Made now, not inside the first request's handshake limit.
    const secureContext = tls.createSecureContext({});
    class HttpsTargetAgent extends https.Agent {
      override createConnection(options: CreateConnectionOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
        const raw = net.connect({ host: options.host, port: options.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
        // https.Agent's own createConnection keeps its TLS session cache; it is given our TCP socket.
        const socket = super.createConnection({ ...options, socket: raw, secureContext } as never, callback) as net.Socket;
        register(raw, socket, true);
        return socket;
      }
    }
    agent = new HttpsTargetAgent(agentOptions);
  } else {
    class HttpTargetAgent extends http.Agent {
      override createConnection(options: CreateConnectionOptions): Duplex {
        const socket = net.connect(options);
        register(socket, socket, false);
        return socket;
      }
    }
    agent = new HttpTargetAgent(agentOptions);
  }
  // Node's agent calls these two on itself: the policy replaces the first and follows the second.
  const nodeReuseSocket = agent.reuseSocket.bind(agent);
  agent.keepSocketAlive = (socket: Duplex) => keepSocketAlive(socket as net.Socket);
  agent.reuseSocket = (socket: Duplex, request: http.ClientRequest) => {
    nodeReuseSocket(socket, request);
    reuseSocket(socket as net.Socket);
  };
  return Object.assign(agent, { connectionOf });
}
