/**
 * The upstream side of one probed connection, on real sockets:
 *
 *   downstream ──► latency link ──► FIN-delay relay ──► idle-closer
 *
 * The idle-closer keeps an idle connection for the upstream hop's keep-alive timeout (and
 * advertises Keep-Alive: timeout=N if the hop does); the FIN-delay relay holds its FIN back so the
 * window in which the downstream can still write into a closed connection has a chosen width, as in
 * the scenarios; the latency link gives the return trip a chosen length (see latency-link.ts). The
 * downstream talks to the front of this stack, which is where a user's own gateway points.
 */
import type { ListenOptions, RunningBackend } from '../../faulty-backends/backend.ts';
import { idleCloser } from '../../faulty-backends/idle-closer.ts';
import { startFinDelayRelay } from '../relay/fin-delay-relay.ts';
import type { TraceEvent } from '../trace.ts';
import { startLatencyLink } from '../relay/latency-link.ts';

export interface UpstreamOptions {
  /** how long the upstream keeps an idle connection (real ms, already scaled) */
  keepAliveTimeoutMs: number;
  /** the N of Keep-Alive: timeout=N, when the upstream advertises one */
  hintSeconds?: number | undefined;
  /** how long the relay holds the upstream's FIN (real ms) */
  holdFinMs: number;
  /** one-way latency of the return trip (real ms) */
  latencyMs: number;
}

export interface Upstream {
  /** where the downstream sends its requests */
  readonly url: string;
  readonly port: number;
  readonly backend: RunningBackend;
  close(): Promise<void>;
}

export async function startUpstream(options: UpstreamOptions, listenOptions: ListenOptions = {}): Promise<Upstream> {
  const closers: (() => Promise<void>)[] = [];
  const closeAll = () => Promise.all(closers.map((close) => close())).then(() => undefined);
  try {
    const backend = await idleCloser.start({
      idleTimeoutMs: options.keepAliveTimeoutMs,
      advertiseKeepAliveHint: options.hintSeconds !== undefined,
      ...(options.hintSeconds === undefined ? {} : { hintSeconds: options.hintSeconds }),
    });
    closers.push(() => backend.close());
    const relay = await startFinDelayRelay({ target: { host: '127.0.0.1', port: backend.port }, holdFinMs: options.holdFinMs });
    closers.push(() => relay.close());
    const link = await startLatencyLink({ target: { host: '127.0.0.1', port: relay.port }, latencyMs: options.latencyMs }, listenOptions);
    closers.push(() => link.close());
    return { url: link.url, port: link.port, backend, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** What the upstream saw of one trial's warm-up exchange, and when that connection ended. */
export interface UpstreamExchange {
  conn: string;
  /** when the upstream finished sending the response, and so armed its idle timer */
  respondedAt: number | undefined;
  /** the connection ended: closed by the upstream's idle timer, or by the downstream first */
  closed: Promise<Ending>;
  /** the same, once it has happened */
  ended: Ending | undefined;
}

export interface Ending {
  at: number;
  by: 'upstream' | 'downstream';
}

interface Entry extends UpstreamExchange {
  end(at: number, by: 'upstream' | 'downstream'): void;
}

/**
 * Follows the idle-closer's own record (trace events) to tell which connection served which trial
 * (requests carry the trial's id in their query) and when the upstream armed and fired its timer.
 */
export class UpstreamWatch {
  private readonly byId = new Map<string, Entry>();
  /** the trial whose warm-up a connection served last; later requests of the same trial do not count */
  private readonly latest = new Map<string, Entry | undefined>();

  constructor(
    private readonly backend: RunningBackend,
    private readonly idOf: (requestTarget: string) => string | undefined,
  ) {
    backend.on('trace', this.listener);
  }

  exchange(id: string): UpstreamExchange | undefined {
    return this.byId.get(id);
  }

  dispose(): void {
    this.backend.off('trace', this.listener);
  }

  private readonly listener = (event: TraceEvent): void => {
    const conn = event.conn;
    if (!conn) return;
    switch (event.kind) {
      case 'request-read': {
        const id = this.idOf(event.detail ?? '');
        if (id === undefined || this.byId.has(id)) {
          this.latest.set(conn, undefined);
          return;
        }
        let resolveClosed: (ending: Ending) => void = () => {};
        const closed = new Promise<Ending>((resolve) => (resolveClosed = resolve));
        const entry: Entry = {
          conn,
          respondedAt: undefined,
          closed,
          ended: undefined,
          end(at, by) {
            if (entry.ended) return;
            entry.ended = { at, by };
            resolveClosed(entry.ended);
          },
        };
        this.byId.set(id, entry);
        this.latest.set(conn, entry);
        return;
      }
      case 'responded': {
        const entry = this.latest.get(conn);
        if (entry && entry.respondedAt === undefined) entry.respondedAt = event.at;
        return;
      }
      case 'idle-close':
        this.latest.get(conn)?.end(event.at, 'upstream');
        return;
      case 'fin-received':
      case 'socket-closed':
        // The first report wins: after an idle close the socket closes too, and that changes nothing.
        this.latest.get(conn)?.end(event.at, 'downstream');
        this.latest.delete(conn);
        return;
      default:
    }
  };
}
