/**
 * One connection from the gateway to its target, and every fact about it.
 *
 * The rules, kept here and nowhere else:
 *  1. Only this module touches a target socket (target-agent.ts creates them and hands each one
 *     here at once). The gateway, the classifier and the personalities see a ConnectionSnapshot,
 *     a frozen copy; nothing outside writes a fact. test/architecture.test.ts checks the gateway.
 *  2. Each fact is written once, by the socket event that makes it true (opened, connected,
 *     secured, FIN, RST, a limit expired), and is a trace event when tracing is on.
 *  3. All three limits live here, one timer at a time:
 *       connect   — from opening until TCP connects (a wall-clock timer);
 *       handshake — from the TCP connect until TLS is up (a wall-clock timer, as Edge's
 *                   io.timeout.millis bounds the handshake as a whole);
 *       io        — while a request is on the connection, silence for this long: either the
 *                   socket's inactivity timer (Node refreshes it on every read and write), or its
 *                   byte counters unmoved as the agent's shared clock reads them (limit-clock.ts),
 *                   so a request arms no timer; the policy's quietLimits says which.
 *     Between requests the same timer or clock keeps the pool's idle limit (release()). A limit that
 *     expires is recorded with the connection as it was then and how long the timer really ran,
 *     and destroys the connection, so a connection expires at most one limit.
 *  4. Node's agent gives a connection to one request at a time; assign() counts the uses.
 *
 * The io and idle limits are armed only by assign() and release(), and checked only by check().
 */
import type http from 'node:http';
import type net from 'node:net';
import { MAX_TIMER_MS } from '../config/fields.ts';
import { now, type TraceKind, type TraceSink } from '../trace.ts';
import { hintRetirement, keepAliveHintSeconds } from './keep-alive-hint.ts';
import type { LimitClock, Watched } from './limit-clock.ts';

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
  /**
   * what keeps the io and idle limits: the socket's own inactivity timer, as a Node product does
   * (quirks included: a write still queued behind a TLS handshake lets the timer run out once
   * unheeded), or the agent's shared clock (limit-clock.ts), which costs a request no timer
   */
  quietLimits: 'socket-timer' | 'shared-clock';
}

export type LimitName = 'connect' | 'handshake' | 'io';

/** A limit that expired: which, its value, how long its timer really ran, the connection then. */
export interface ExpiredLimit {
  readonly name: LimitName;
  readonly ms: number;
  /**
   * how long the timer really ran: the gateway's own measure of when it decided (a busy event loop
   * makes it later than `ms`, never earlier). Undefined for the io limit, whose timer restarts at
   * every byte and so is not measured from one start.
   */
  readonly firedAfterMs: number | undefined;
  readonly connection: ConnectionSnapshot;
}

/** A connection's facts frozen at one instant: what the classifier and the log lines read. */
export interface ConnectionSnapshot {
  readonly id: number;
  readonly conn: string;
  readonly tls: boolean;
  readonly remote: string;
  readonly local: string;
  /** how many requests have been given this connection */
  readonly useCount: number;
  /** application bytes, as the product counts them (0 before a TLS handshake completes) */
  readonly bytesRead: number;
  /** application bytes read since the current (or last) request was given the connection */
  readonly bytesReadThisUse: number;
  readonly bytesWritten: number;
  /** bytes on the wire, TLS records included */
  readonly wireBytesRead: number;
  readonly wireBytesWritten: number;
  readonly ageMs: number;
  /** ms since bytes last moved on this connection */
  readonly lastIOMs: number;
  readonly isOpen: boolean;
  readonly connected: boolean;
  readonly secured: boolean;
  /** the target's FIN arrived */
  readonly finReceived: boolean;
  /** the target's RST arrived before any FIN */
  readonly resetReceived: boolean;
  /** the limit that expired on it, if one did */
  readonly expired: ExpiredLimit | undefined;
}

/** lastBytes before the clock's first tick on a limit: any reading differs from it. */
const COUNTERS_UNREAD = -1;

export class TargetConnection implements Watched {
  readonly conn: string;
  private readonly openedAt = now();
  private connectedAt: number | undefined;
  private securedAt: number | undefined;
  private finAt: number | undefined;
  private resetAt: number | undefined;
  private idleSince: number | undefined;
  private useCount = 0;
  private bytesReadBefore = 0;
  private expired: ExpiredLimit | undefined;
  private timer: NodeJS.Timeout | undefined;
  private request: http.ClientRequest | undefined;
  private keepAliveHeader: string | string[] | undefined;
  /** the limit the clock checks now (io while a request is on it, idle in the pool), 0 for none */
  private quietLimitMs = 0;
  /** since when the byte counters have not moved, as the clock saw them */
  private quietSince = 0;
  private lastBytes = 0;

  /**
   * `raw` is the TCP socket; `socket` the one HTTP is spoken on (a TLS socket over `raw` for https,
   * `raw` itself for http).
   */
  constructor(
    readonly id: number,
    private readonly raw: net.Socket,
    private readonly socket: net.Socket,
    readonly tls: boolean,
    private readonly policy: TargetPolicy,
    private readonly trace: TraceSink | undefined,
    private readonly clock: LimitClock,
  ) {
    this.conn = `target#${id}`;
    if (trace) this.emit('connect-start');
    this.arm('connect', policy.connectTimeoutMs);
    // `on`, not `once`: each of these events comes once per socket, and `once` costs every listener
    // a wrapper object and a bound function for the connection's life (bench/, hung connections).
    raw.on('connect', () => this.onConnect());
    if (tls) socket.on('secureConnect', () => this.onSecure());
    socket.on('end', () => {
      this.finAt = now();
      if (this.trace) this.emit('fin-received');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' && this.resetAt === undefined && this.finAt === undefined) {
        this.resetAt = now();
        if (this.trace) this.emit('rst-received');
      }
    });
    socket.on('close', () => {
      clearTimeout(this.timer);
      this.clock.unwatch(this);
      if (this.trace) this.emit('socket-closed');
    });
    if (policy.quietLimits === 'socket-timer') socket.on('timeout', () => this.onInactive());
    if (trace) socket.on('data', (chunk: Buffer) => this.emit('bytes-received', { bytes: chunk.length }));
  }

  /** A request was given this connection (new or from the pool): count it and arm the io limit. */
  assign(request: http.ClientRequest): void {
    this.useCount++;
    this.bytesReadBefore = this.socket.bytesRead;
    this.idleSince = undefined;
    this.request = request;
    // On the shared clock, the io limit waits for the connection to be up: until then the connect
    // and handshake limits are the ones that apply (onConnect, onSecure start it).
    if (this.policy.quietLimits === 'socket-timer' || this.isUp()) this.watchQuiet(this.policy.ioTimeoutMs ?? 0);
    if (this.policy.honourKeepAliveHint) {
      // Before http-proxy's own listener: a personality that drops hop-by-hop headers removes it there.
      request.prependOnceListener('response', (response: http.IncomingMessage) => (this.keepAliveHeader = response.headers['keep-alive']));
    }
    if (this.trace) {
      if (this.useCount > 1) this.emit('socket-reused', { detail: `use ${this.useCount}` });
      request.once('finish', () => {
        // 'finish' also fires when a request queued behind a TLS handshake is dropped with its socket.
        if (!this.socket.destroyed) this.emit('request-written');
      });
    }
  }

  /**
   * The request is done and the connection goes back to the pool: arm the idle limit, which is
   * the policy's, or sooner by Node's rule for a Keep-Alive hint the policy honours. False: the
   * connection must not be reused (the hint leaves no time).
   */
  release(): boolean {
    let idleMs = this.policy.idleTimeoutMs ?? 0;
    if (this.policy.honourKeepAliveHint) {
      const seconds = keepAliveHintSeconds(this.keepAliveHeader);
      if (seconds !== undefined) {
        const early = hintRetirement(seconds);
        if (early === 0) return false;
        // A hint longer than any timer can hold sets no limit of its own.
        if (early <= MAX_TIMER_MS && (idleMs === 0 || early < idleMs)) idleMs = early;
      }
    }
    this.idleSince = now();
    this.watchQuiet(idleMs);
    // An idle connection holds on to nothing of the request it served.
    this.request = undefined;
    this.keepAliveHeader = undefined;
    return true;
  }

  /** The connection as it is now, frozen. */
  snapshot(at = now()): ConnectionSnapshot {
    const { raw, socket } = this;
    // Without a data hook on the raw socket, the last moment bytes moved is the last event that moves
    // them: the handshake's end, or the connect (when TLS writes its Client Hello).
    const lastIO = this.securedAt ?? this.connectedAt ?? this.openedAt;
    return Object.freeze({
      id: this.id,
      conn: this.conn,
      tls: this.tls,
      remote: `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`,
      local: `${raw.localAddress ?? '?'}:${raw.localPort ?? '?'}`,
      useCount: this.useCount,
      // Until TLS is up, what the HTTP client wrote is only queued: nothing of it has been sent.
      bytesRead: socket.bytesRead,
      bytesReadThisUse: socket.bytesRead - this.bytesReadBefore,
      bytesWritten: this.tls && this.securedAt === undefined ? 0 : socket.bytesWritten,
      wireBytesRead: raw.bytesRead,
      wireBytesWritten: raw.bytesWritten,
      ageMs: at - this.openedAt,
      lastIOMs: at - lastIO,
      isOpen: !socket.destroyed,
      connected: this.connectedAt !== undefined,
      secured: this.securedAt !== undefined,
      finReceived: this.finAt !== undefined,
      resetReceived: this.resetAt !== undefined,
      expired: this.expired,
    });
  }

  private isUp(): boolean {
    return this.tls ? this.securedAt !== undefined : this.connectedAt !== undefined;
  }

  /** A request given the connection before it was up has its io limit from now (shared clock). */
  private startPendingIo(): void {
    if (this.policy.quietLimits === 'shared-clock' && this.request && this.idleSince === undefined) this.watchQuiet(this.policy.ioTimeoutMs ?? 0);
  }

  private onConnect(): void {
    clearTimeout(this.timer);
    this.connectedAt = now();
    if (!this.tls) this.startPendingIo();
    if (this.tls) this.arm('handshake', this.policy.handshakeTimeoutMs);
    if (this.trace) {
      this.emit('connected');
      // TLS writes its Client Hello inside the connect handler; its size is known a moment later.
      if (this.tls) setImmediate(() => this.emit('tls-client-hello', { bytes: this.raw.bytesWritten }));
    }
  }

  private onSecure(): void {
    clearTimeout(this.timer);
    this.securedAt = now();
    this.startPendingIo();
    if (this.trace) this.emit('tls-established', { bytes: this.raw.bytesRead });
  }

  /** From now, silence for `ms` expires the limit in force (io or idle); 0: no limit. */
  private watchQuiet(ms: number): void {
    this.quietLimitMs = ms;
    if (this.policy.quietLimits === 'socket-timer') {
      if (this.socket.timeout !== ms) this.socket.setTimeout(ms);
      return;
    }
    if (ms === 0) {
      this.clock.unwatch(this);
      return;
    }
    // The counters are not read here but at the clock's next tick, where the silence starts: reading
    // them costs every request a copy of the socket's write queue (Node's bytesWritten), and the
    // limit still expires within two ticks of its value, never before it.
    this.lastBytes = COUNTERS_UNREAD;
    this.clock.watch(this);
  }

  /** The clock's tick: bytes moved since the last one, or silence as long as the limit in force. */
  check(at: number): void {
    const bytes = this.socket.bytesRead + this.socket.bytesWritten;
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.quietSince = at;
      return;
    }
    if (at - this.quietSince < this.quietLimitMs) return;
    this.clock.unwatch(this);
    this.onInactive(at);
    // Node's agent takes a destroyed free socket out of its pool (it does so itself on a socket timer's 'timeout').
    if (this.idleSince !== undefined) this.socket.destroy();
  }

  /** The io or idle limit in force has expired. */
  private onInactive(at = now()): void {
    if (this.idleSince !== undefined) {
      if (this.trace) this.emit('idle-retired', { detail: `idle ${Math.round(at - this.idleSince)} ms` });
    } else if (this.request && this.quietLimitMs > 0) {
      this.expire('io', this.quietLimitMs, undefined);
    }
  }

  /** The connect and handshake limits: one wall-clock timer at a time. */
  private arm(limit: 'connect' | 'handshake', ms: number | undefined): void {
    if (ms === undefined) return;
    const armedAt = now();
    this.timer = setTimeout(() => this.expire(limit, ms, armedAt), ms);
  }

  private expire(name: LimitName, ms: number, armedAt: number | undefined): void {
    const at = now();
    this.expired = { name, ms, firedAfterMs: armedAt === undefined ? undefined : at - armedAt, connection: this.snapshot(at) };
    if (this.trace) this.emit('timer-fired', { detail: `${name} limit ${ms} ms` });
    // The io limit ends the request (and with it the connection); the others end the connection.
    if (name === 'io' && this.request) this.request.destroy();
    else this.socket.destroy();
  }

  private emit(kind: TraceKind, extra?: { bytes?: number; detail?: string }): void {
    this.trace?.({ at: now(), source: 'target-socket', kind, conn: this.conn, ...extra });
  }
}
