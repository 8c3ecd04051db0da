/**
 * swallow-client-hello — accepts the TCP connection, reads the TLS Client Hello, and never answers:
 * no Server Hello, no alert, no FIN. The gateway's TLS handshake can only time out. This is what a
 * firewall that lets the SYN through but drops what follows looks like from the gateway's side
 * (the Edge document's cause), without needing the firewall.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { recordHandshakeBytes } from './client-hello.ts';

export const swallowClientHello = defineBackend({
  name: 'swallow-client-hello',
  summary: 'reads the TLS Client Hello and never answers (the TLS handshake timeout)',
  settings: z.object({}).strict(),
  protocol: () => 'https',
  explain: () => 'accepts TCP, reads the TLS Client Hello and never answers it',
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      recordHandshakeBytes(socket, backend, backend.track(socket));
    });
    return backend.serve(server, listenOptions);
  },
});
