/**
 * Listening on a port, the same way for every server the harness starts (gateways, backends,
 * relays): loopback unless told otherwise, an ephemeral port unless one is given, and a busy or
 * forbidden port turned into a one-line error that names it and the fix.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { FaultgateError, listenError } from './errors.ts';

export interface ListenOptions {
  /** 0 or absent: an ephemeral port */
  port?: number;
  /** default 127.0.0.1: loopback only unless the user asks otherwise */
  host?: string;
  /** a socket already listening on host (one made in the target's network namespace): listen on it instead */
  handle?: net.Server;
}

/** listen() as a promise, with a busy or forbidden port turned into a one-line error. */
export function listen(server: net.Server, what: string, options: ListenOptions = {}): Promise<number> {
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  // Node takes '' for every interface; nobody asks for that by leaving a value empty.
  if (host.trim() === '') return Promise.reject(new FaultgateError('E_CONFIG', `${what}: an empty host listens on every interface; give an address, e.g. 127.0.0.1 (this machine) or 0.0.0.0 (every interface)`));
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, what, port));
    server.once('error', onError);
    const listening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    if (options.handle) server.listen(options.handle, listening);
    else server.listen(port, host, listening);
  });
}

/**
 * Formats host and port as a URL authority, bracketing IPv6 literals. A wildcard address is
 * listened on, not connected to: the URL names loopback instead.
 */
export function authority(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return reachable.includes(':') ? `[${reachable}]:${port}` : `${reachable}:${port}`;
}

/** Whether an address to listen on is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  const v6 = host.replace(/^\[|\]$/g, '').toLowerCase();
  return v6 === '::1' || v6.startsWith('::ffff:127.');
}

/** The first port of the kernel's ephemeral range (Linux: ip_local_port_range); 32768, the usual one, elsewhere. */
function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/** Whether a server can listen on host:port now (then closed again). */
async function bindable(host: string, port: number): Promise<boolean> {
  const probe = net.createServer();
  const bound = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => probe.close(() => resolve()));
  return bound;
}

/**
 * A port nothing listens on, below the kernel's ephemeral range: no listen(0), of this process or
 * of another, can be handed it later, as it could a free ephemeral port. For a port that must stay
 * free (one that refuses connections) or be known before its server starts.
 */
export async function portBelowEphemeralRange(host = '127.0.0.1'): Promise<number> {
  const start = ephemeralRangeStart();
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, start - 10_000));
    if (await bindable(host, port)) return port;
  }
}
