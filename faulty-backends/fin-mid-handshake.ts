/**
 * fin-mid-handshake — accepts the TCP connection, reads the TLS Client Hello, and closes the
 * connection (FIN) without a Server Hello: the TLS handshake ends before it began. A TLS
 * terminator that refuses the gateway's Client Hello (no shared protocol version or cipher, an
 * SNI it does not serve) and drops the connection rather than send an alert looks like this.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { recordHandshakeBytes } from './client-hello.ts';

export const finMidHandshake = defineBackend({
  name: 'fin-mid-handshake',
  summary: 'reads the TLS Client Hello, then closes (FIN) with no Server Hello',
  settings: z.object({}).strict(),
  protocol: () => 'https',
  explain: () => 'accepts TCP, reads the TLS Client Hello, then closes the connection (FIN) without answering it',
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      recordHandshakeBytes(socket, backend, conn, () => {
        backend.record('fin-sent', conn);
        socket.end();
      });
    });
    return backend.serve(server, listenOptions);
  },
});
