/**
 * idle-closer — an HTTP/1.1 keep-alive server that closes any connection left idle for
 * `idleTimeoutMs` (Node's default server closes at 5 s). By default it closes silently, sending
 * only a FIN, as many real backends do; with `advertiseKeepAliveHint` it announces
 * `Keep-Alive: timeout=N` first, as Node's own server does.
 *
 * The idle timer is its own rather than Node's `keepAliveTimeout`, so that the moment of the close
 * is recorded and does not depend on Node's version.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { z } from 'zod';
import { positiveMillis, seconds } from '../harness/config/fields.ts';
import { asksToClose } from '../harness/gateway/hop-by-hop.ts';
import { INVOCATION } from '../harness/invocation.ts';
import type { BackendDemo } from '../harness/stage/demo.ts';
import { defineBackend, StartedBackend } from './backend.ts';
import { tlsMaterial } from './tls-material.ts';

export const idleCloser = defineBackend({
  name: 'idle-closer',
  summary: 'closes keep-alive connections left idle too long (the keep-alive mismatch)',
  settings: z
    .object({
      idleTimeoutMs: positiveMillis().default(5000).describe('a keep-alive connection idle this long is closed, silently (FIN)'),
      advertiseKeepAliveHint: z.boolean().default(false).describe('send Keep-Alive: timeout=N with each response'),
      hintSeconds: seconds().optional().describe('the N of Keep-Alive: timeout=N; absent: the idle timeout in whole seconds, rounded down as Node does'),
      tls: z.boolean().default(false).describe('serve HTTPS with a certificate made at start'),
      body: z.string().default('{"ok":true}').describe('the body of each 200'),
    })
    .strict(),
  protocol: (settings) => (settings.tls ? 'https' : 'http'),
  explain: (settings) =>
    `answers 200 and keeps the connection open, then closes it after ${settings.idleTimeoutMs} ms idle, ` +
    (settings.advertiseKeepAliveHint ? `having advertised Keep-Alive: timeout=${hintOf(settings)}` : 'silently (no Keep-Alive hint)'),
  demo: keepAliveMismatch(),
  async serve(settings, backend, listenOptions) {
    interface Connection {
      conn: string;
      socket: net.Socket;
      idle?: NodeJS.Timeout;
    }
    const connections = new Map<string, Connection>();
    const armIdleTimer = (entry: Connection) => {
      clearTimeout(entry.idle);
      entry.idle = setTimeout(() => {
        backend.record('idle-close', entry.conn, { detail: `idle ${settings.idleTimeoutMs} ms` });
        entry.socket.destroy();
      }, settings.idleTimeoutMs);
    };
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(settings.body) };
    // An explicit Connection header stops Node from adding its own Keep-Alive hint.
    const keepOpen: http.OutgoingHttpHeaders = { ...headers, connection: 'keep-alive', ...(settings.advertiseKeepAliveHint ? { 'keep-alive': `timeout=${hintOf(settings)}` } : {}) };
    // A client that asked to close gets its close: keeping such a connection would be a protocol error.
    // Node's parser takes Proxy-Connection for Connection, and then refuses what follows, so both count.
    const closeNow: http.OutgoingHttpHeaders = { ...headers, connection: 'close' };

    const handler: http.RequestListener = (req, res) => {
      const entry = connections.get(StartedBackend.peerOf(req.socket));
      if (entry) clearTimeout(entry.idle);
      backend.record('request-read', entry?.conn, { detail: `${req.method} ${req.url}` });
      req.resume();
      req.on('end', () => {
        const closing = asksToClose(req.headers.connection) || asksToClose(String(req.headers['proxy-connection'] ?? ''));
        res.writeHead(200, closing ? closeNow : keepOpen);
        res.end(settings.body, () => {
          backend.record('responded', entry?.conn, { detail: '200' });
          if (entry) armIdleTimer(entry);
        });
      });
    };
    const server = settings.tls ? https.createServer(await tlsMaterial(), handler) : http.createServer(handler);
    server.keepAliveTimeout = 0; // the idle close is ours, above
    server.on('connection', (socket: net.Socket) => {
      const peer = StartedBackend.peerOf(socket);
      const entry: Connection = { conn: backend.track(socket), socket };
      // As in Node's own server, the idle clock starts when a response is finished, not at accept:
      // a connection is not idle before its first request.
      connections.set(peer, entry);
      socket.once('close', () => {
        clearTimeout(entry.idle);
        connections.delete(peer);
      });
    });
    return backend.serve(server, listenOptions);
  },
});

function hintOf(settings: { idleTimeoutMs: number; hintSeconds?: number | undefined }): number {
  return settings.hintSeconds ?? Math.floor(settings.idleTimeoutMs / 1000);
}

/**
 * The keep-alive mismatch needs two requests a moment apart, and a FIN that reaches the gateway
 * late: behind the FIN-delay relay with a wide window, a second curl a second or two later always
 * meets the held FIN. Beside it, the natural race: no relay, so the FIN arrives at once and the
 * gateway drops the pooled connection before the next curl; a 502 needs a request to cross the FIN
 * in flight, microseconds on loopback: intermittent.
 */
function keepAliveMismatch(): BackendDemo {
  return {
    settings: (t) => ({ idleTimeoutMs: t.idleCloseMs }),
    behindFinDelayRelay: true,
    requests: { kind: 'two-apart', gapS: (t) => Math.max(1, Math.ceil((t.idleCloseMs + 500) / 1000)) },
    // The second request goes out on the pooled connection the target has closed: a FIN before any response.
    failure: 'awaiting-response × fin',
    reproduces: (answer, t) =>
      `${answer ?? ''} on the second of two requests ${t.idleCloseMs} ms+ apart: the keep-alive mismatch, ` +
      `made certain: a relay holds the target's FIN ${t.finHoldMs / 1000} s in flight, so every request in those ${t.finHoldMs / 1000} s after an idle close meets a closed connection ` +
      '(the document calls the failure intermittent: see the natural race below)',
    variants: [
      {
        name: 'natural race',
        key: 'natural',
        requests: { kind: 'loop', count: 20, gapS: (t) => (t.idleCloseMs / 1000).toFixed(1) },
        reproduces: () =>
          `the same mismatch with the target's FIN delivered at once: the gateway drops the closed connection, so requests after a gap get 200; ` +
          `a 502 needs a request to cross the FIN in flight (microseconds on loopback): intermittent, as the document says; \`${INVOCATION} run keepalive-timeout-mismatch --natural-race --repeat 40\` counts it`,
      },
    ],
  };
}
