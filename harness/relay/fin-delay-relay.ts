/**
 * A TCP relay between the gateway and a backend that can hold the backend's FIN back from the
 * gateway for a while: latency on one packet, like a Toxiproxy toxic.
 *
 * Why: on loopback the window between a target closing an idle keep-alive connection and the
 * gateway noticing is microseconds wide, so the Microgateway document's race (the gateway reuses
 * the connection just as the target closes it) happens by luck. Holding the FIN opens that window
 * to a chosen width. A request the gateway writes into a held connection has crossed the FIN in
 * flight, exactly as in the document's capture; the relay then lets the FIN through at once, and
 * the gateway sees the target close before any response: "socket hang up".
 *
 * With `holdFinMs: 0` the FIN passes at once and the race keeps its natural odds.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { authority, listen, type ListenOptions } from '../listen.ts';
import { keepEvent, now, type TraceEvent, type TraceKind } from '../trace.ts';

export interface FinDelayRelayOptions {
  /** the backend to relay to */
  target: { host: string; port: number };
  /** how long the backend's FIN is held back from the gateway; 0: passed on at once */
  holdFinMs: number;
  /** the scheme of the URL it reports (the relay itself is plain TCP, so TLS passes through) */
  protocol?: 'http' | 'https';
  /**
   * pass a request written into a held connection on to the backend as well, so that the backend's
   * kernel answers it with RST where a capture on the backend's side can see it (wire mode)
   */
  forwardLateRequest?: boolean;
}

export interface FinDelayRelayEvents {
  trace: [event: TraceEvent];
  /** the backend closed a connection (its FIN reached the relay), held or not */
  'target-closed': [conn: string];
  /** the backend closed a connection and the relay is holding the FIN */
  'fin-held': [conn: string];
}

export class FinDelayRelay extends EventEmitter<FinDelayRelayEvents> {
  readonly events: TraceEvent[] = [];
  url = '';
  port = 0;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextConnection = 1;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: FinDelayRelayOptions) {
    super();
    this.server = net.createServer({ allowHalfOpen: true }, (gatewaySide) => this.relay(gatewaySide));
  }

  async start(listenOptions: ListenOptions = {}): Promise<this> {
    this.port = await listen(this.server, 'FIN-delay relay', listenOptions);
    this.url = `${this.options.protocol ?? 'http'}://${authority(listenOptions.host ?? '127.0.0.1', this.port)}`;
    return this;
  }

  private record(kind: TraceKind, conn: string, detail?: string): void {
    const event: TraceEvent = { at: now(), source: 'relay', kind, conn, ...(detail ? { detail } : {}) };
    keepEvent(this.events, event);
    this.emit('trace', event);
  }

  private relay(gatewaySide: net.Socket): void {
    const conn = `relay#${this.nextConnection++}`;
    const backendSide = net.connect({ ...this.options.target, allowHalfOpen: true });
    for (const socket of [gatewaySide, backendSide]) {
      this.sockets.add(socket);
      socket.on('error', () => {}); // a reset on either side is evidence, not a crash
      socket.once('close', () => {
        this.sockets.delete(socket);
        (socket === gatewaySide ? backendSide : gatewaySide).destroy();
      });
    }

    let held: NodeJS.Timeout | undefined;
    let finPassed = false;
    const passFin = (why: string) => {
      if (finPassed) return;
      finPassed = true;
      if (held) {
        clearTimeout(held);
        this.timers.delete(held);
        held = undefined;
        this.record('fin-released', conn, why);
      }
      gatewaySide.end();
    };

    backendSide.on('data', (chunk: Buffer) => gatewaySide.write(chunk));
    gatewaySide.on('data', (chunk: Buffer) => {
      if (held) {
        // The gateway wrote into a connection the backend has already closed: the request crossed
        // the FIN in flight. The backend would only answer it with RST; the FIN goes on now.
        passFin(`the gateway's ${chunk.length} bytes crossed it in flight`);
        if (this.options.forwardLateRequest) backendSide.write(chunk);
        return;
      }
      backendSide.write(chunk);
    });
    backendSide.once('end', () => {
      this.emit('target-closed', conn);
      if (this.options.holdFinMs <= 0) {
        passFin('at once');
        return;
      }
      held = setTimeout(() => passFin(`its hold of ${this.options.holdFinMs} ms is over`), this.options.holdFinMs);
      this.timers.add(held);
      this.record('fin-held', conn, `for up to ${this.options.holdFinMs} ms`);
      this.emit('fin-held', conn);
    });
    gatewaySide.once('end', () => backendSide.end());
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      if (this.server.listening) this.server.close(() => resolve());
      else resolve();
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
    return this.closing;
  }
}

export async function startFinDelayRelay(options: FinDelayRelayOptions, listenOptions?: ListenOptions): Promise<FinDelayRelay> {
  return new FinDelayRelay(options).start(listenOptions);
}
