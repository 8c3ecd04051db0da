/**
 * reset-mid-handshake — accepts the TCP connection, reads the TLS Client Hello, and resets the
 * connection (SO_LINGER 0: RST) without a Server Hello. A TLS terminator or middlebox that kills
 * a handshake it will not serve looks like this.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { recordHandshakeBytes } from './client-hello.ts';

export const resetMidHandshake = defineBackend({
  name: 'reset-mid-handshake',
  summary: 'reads the TLS Client Hello, then resets the connection (RST)',
  settings: z.object({}).strict(),
  protocol: () => 'https',
  explain: () => 'accepts TCP, reads the TLS Client Hello, then resets the connection (RST) without answering it',
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      recordHandshakeBytes(socket, backend, conn, () => {
        backend.record('rst-sent', conn);
        socket.resetAndDestroy();
      });
    });
    return backend.serve(server, listenOptions);
  },
});
