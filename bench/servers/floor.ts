/**
 * The floor of the hung-connection benchmark: what bare Node needs to hold one such request, with
 * no gateway around it. An http.Server whose handler opens a TLS client socket to the same silent
 * target (one secure context for all, as the gateway has), holds the request unanswered while the
 * handshake hangs, and at the limit destroys the socket and answers the same 502 body. Per held
 * request that is an HTTP server socket with its parsed request and unsent response, a TLS client
 * socket mid-handshake, and one timer: the least any program doing the gateway's job can hold.
 * Options: { target, limitMs, body }; it answers "memory" like the gateway's process.
 */
import http from 'node:http';
import tls from 'node:tls';
import { childOptions, runAsChild, type ServerReady } from '../lib/as-child.ts';

interface Options {
  /** https://host:port of the silent target */
  target: string;
  limitMs: number;
  /** the 502's body */
  body: string;
}

runAsChild<ServerReady>(async () => {
  const { target, limitMs, body } = childOptions<Options>();
  const { hostname, port } = new URL(target);
  const secureContext = tls.createSecureContext({});
  const server = http.createServer((_req, res) => {
    const socket = tls.connect({ host: hostname, port: Number(port), secureContext, rejectUnauthorized: false });
    socket.on('error', () => {});
    setTimeout(() => {
      socket.destroy();
      res.writeHead(502, { 'Content-Type': 'application/json' }).end(body);
    }, limitMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  const handle = async (request: unknown) => {
    if (request === 'memory') return process.memoryUsage();
    throw new Error(`unknown request ${JSON.stringify(request)}`);
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { ready: { url: `http://127.0.0.1:${listening}`, pid: process.pid }, role: { close, handle } };
});
