/**
 * For backends whose fault is in a response Node's own HTTP server can write (headers too large
 * for a product, a body too long for it, an encoding that lies): a plain keep-alive server that
 * reads each request whole, records it, and hands it to the backend's `respond`. Node's server
 * keeps HEAD answers bodiless, as a real server does.
 */
import http from 'node:http';
import type net from 'node:net';
import type { ListenOptions } from '../harness/listen.ts';
import { StartedBackend } from './backend.ts';

export type Respond = (req: http.IncomingMessage, res: http.ServerResponse, done: (detail: string) => void) => void;

export function serveHttp(backend: StartedBackend, listenOptions: ListenOptions, respond: Respond): Promise<StartedBackend> {
  const connections = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const conn = connections.get(StartedBackend.peerOf(req.socket));
    backend.record('request-read', conn, { detail: `${req.method} ${req.url}` });
    req.resume();
    req.on('end', () => respond(req, res, (detail) => backend.record('responded', conn, { detail })));
  });
  server.on('connection', (socket: net.Socket) => {
    const peer = StartedBackend.peerOf(socket);
    connections.set(peer, backend.track(socket));
    socket.once('close', () => connections.delete(peer));
  });
  return backend.serve(server, listenOptions);
}
