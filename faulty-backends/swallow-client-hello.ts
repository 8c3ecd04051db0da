/**
 * swallow-client-hello — accepts the TCP connection, reads the TLS Client Hello, and never answers:
 * no Server Hello, no alert, no FIN. The gateway's TLS handshake can only time out. This is what a
 * firewall that lets the SYN through but drops what follows looks like from the gateway's side
 * (the Edge document's cause), without needing the firewall.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';

/** A TLS record whose content type is 22 (handshake) and whose first message is 1 (Client Hello). */
export function looksLikeClientHello(chunk: Buffer): boolean {
  return chunk[0] === 0x16 && chunk[5] === 0x01;
}

export const swallowClientHello = defineBackend({
  name: 'swallow-client-hello',
  summary: 'reads the TLS Client Hello and never answers (the TLS handshake timeout)',
  settings: z.object({}).strict(),
  protocol: () => 'https',
  explain: () => 'accepts TCP, reads the TLS Client Hello and never answers it',
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      socket.on('data', (chunk: Buffer) => {
        backend.record('received', conn, { bytes: chunk.length, ...(looksLikeClientHello(chunk) ? { detail: 'TLS Client Hello' } : {}) });
      });
    });
    return backend.serve(server, listenOptions);
  },
});
