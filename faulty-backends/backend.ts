/**
 * The one interface every faulty backend implements: start on a port, report what it saw, close.
 *
 * A backend is a small module that misbehaves on the wire in exactly one way. It never knows which
 * gateway fronts it. Its settings are a zod schema with defaults, so a bad value fails where it is
 * given, naming the setting; `explain()` says in one sentence what it does with those settings.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { z } from 'zod';
import { describeIssue } from '../harness/config/describe-issue.ts';
import { FaultgateError } from '../harness/errors.ts';
import { authority, listen, type ListenOptions } from '../harness/listen.ts';
import type { BackendDemo } from '../harness/stage/demo.ts';
import { keepEvent, now, type TraceEvent, type TraceKind } from '../harness/trace.ts';


export interface RunningBackend {
  readonly name: string;
  /** what a gateway's target should be: http://host:port or https://host:port */
  readonly url: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  /** one sentence: what this backend does to a request, with its settings */
  readonly explanation: string;
  /** what it saw and did, in order (the latest 10 000 events; 'trace' listeners see every one) */
  readonly events: readonly TraceEvent[];
  /** live events, for timelines and for runners that wait on them */
  on(event: 'trace', listener: (event: TraceEvent) => void): this;
  off(event: 'trace', listener: (event: TraceEvent) => void): this;
  close(): Promise<void>;
}

/** What a backend's file defines: its name, settings, one-sentence explanation, and how it serves. */
export interface BackendModule<Schema extends z.ZodType> {
  /** the public name, which is also the file name */
  readonly name: string;
  /** one line for listings: the failure it produces */
  readonly summary: string;
  readonly settings: Schema;
  /** 'https' when clients must speak TLS to it */
  protocol(settings: z.output<Schema>): 'http' | 'https';
  explain(settings: z.output<Schema>): string;
  /** how `faultgate up` shows it, where that is more than one request with its default settings */
  readonly demo?: BackendDemo;
  /** Starts serving with settings already checked and defaulted, recording into `backend`. */
  serve(settings: z.output<Schema>, backend: StartedBackend, listen: ListenOptions): Promise<StartedBackend>;
}

export interface BackendDefinition<Schema extends z.ZodType = z.ZodType> extends BackendModule<Schema> {
  /** Checks the settings (a bad one fails here, named), applies defaults, and starts. */
  start(settings?: z.input<Schema>, listen?: ListenOptions): Promise<RunningBackend>;
  /** The settings with defaults applied, or a one-line error naming the bad one. */
  parseSettings(settings: unknown): z.output<Schema>;
  /** the names of its settings, for --set and the environment */
  readonly settingNames: ReadonlySet<string>;
}

export function defineBackend<Schema extends z.ZodType>(module: BackendModule<Schema>): BackendDefinition<Schema> {
  const parseSettings = (input: unknown): z.output<Schema> => {
    const result = module.settings.safeParse(input ?? {}, { reportInput: true });
    if (!result.success) throw new FaultgateError('E_CONFIG', `backend ${module.name}: ${describeIssue(result.error)}`);
    return result.data;
  };
  return {
    ...module,
    parseSettings,
    settingNames: new Set(module.settings instanceof z.ZodObject ? Object.keys(module.settings.shape as object) : []),
    async start(input, listenOptions = {}) {
      const settings = parseSettings(input);
      const backend = new StartedBackend(module.name, module.explain(settings), module.protocol(settings));
      return module.serve(settings, backend, listenOptions);
    },
  };
}

/**
 * What every backend shares: connection ids, the record of what it saw, and closing every socket it
 * ever accepted. A backend creates one, hands its server to `serve()`, and returns it.
 */
export class StartedBackend extends EventEmitter implements RunningBackend {
  readonly events: TraceEvent[] = [];
  url = '';
  port = 0;
  private readonly sockets = new Set<net.Socket>();
  private nextConnection = 1;
  private server: net.Server | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly explanation: string,
    readonly protocol: 'http' | 'https',
  ) {
    super();
  }

  /** Listens (ephemeral port unless told otherwise) and fills in url and port. */
  async serve(server: net.Server, options: ListenOptions = {}): Promise<this> {
    this.server = server;
    this.port = await listen(server, `backend ${this.name}`, options);
    this.url = `${this.protocol}://${authority(options.host ?? '127.0.0.1', this.port)}`;
    return this;
  }

  /**
   * The key of a client connection that its raw socket and its TLS wrapper share (the peer's
   * address and port), for servers that see both.
   */
  static peerOf(socket: net.Socket): string {
    return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
  }

  /** Registers an accepted socket and returns its name ("backend#1"). */
  track(socket: net.Socket): string {
    const conn = `backend#${this.nextConnection++}`;
    this.sockets.add(socket);
    socket.once('end', () => this.record('fin-received', conn));
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.record('socket-closed', conn);
    });
    // An injected failure makes peers reset us; that is evidence, never a crash.
    socket.on('error', () => {});
    // The peer's address, so that what the gateway logs about its side can be checked against it.
    this.record('accepted', conn, { detail: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` });
    return conn;
  }

  record(kind: TraceKind, conn?: string, extra?: { bytes?: number; detail?: string }): void {
    const event: TraceEvent = { at: now(), source: 'backend', kind, ...(conn ? { conn } : {}), ...extra };
    keepEvent(this.events, event);
    this.emit('trace', event);
  }

  /** Stops accepting, destroys every socket it accepted, resolves when the server is closed. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      const server = this.server;
      if (!server?.listening) resolve();
      else server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
    return this.closing;
  }
}

export type { ListenOptions };
