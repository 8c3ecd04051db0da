/**
 * A TCP relay that delays everything the upstream sends (bytes, FIN, reset) by a fixed one-way
 * latency before the downstream sees it; what the downstream sends passes at once.
 *
 * Why: on loopback a response reaches the downstream microseconds after the upstream sent it, so
 * both sides start their idle timers at the same instant and equal timeouts race only by luck.
 * Across a network the downstream's timer starts one trip later than the upstream's, and a request
 * sent in the last trip before the downstream's own limit reaches an upstream that has already
 * closed. This link gives that trip a chosen length, so the equal-timeouts race is deterministic.
 */
import net from 'node:net';
import { authority, listen, type ListenOptions } from '../listen.ts';

export interface LatencyLink {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startLatencyLink(
  options: { target: { host: string; port: number }; latencyMs: number },
  listenOptions: ListenOptions = {},
): Promise<LatencyLink> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, options.latencyMs);
    timers.add(timer);
  };

  const server = net.createServer({ allowHalfOpen: true }, (downstream) => {
    const upstream = net.connect({ ...options.target, allowHalfOpen: true });
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {}); // a reset is evidence for the probe, not a crash
      socket.once('close', () => sockets.delete(socket));
    }
    downstream.on('data', (chunk: Buffer) => upstream.write(chunk));
    downstream.once('end', () => upstream.end());
    downstream.once('close', () => upstream.destroy());
    // Every event from upstream keeps its order: each waits the same latency on its own timer.
    upstream.on('data', (chunk: Buffer) => later(() => downstream.write(chunk)));
    upstream.once('end', () => later(() => downstream.end()));
    upstream.once('close', () => later(() => downstream.destroy()));
  });

  const host = listenOptions.host ?? '127.0.0.1';
  const port = await listen(server, 'latency link', listenOptions);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${authority(host, port)}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      })),
  };
}
