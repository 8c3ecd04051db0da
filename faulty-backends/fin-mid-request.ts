/**
 * fin-mid-request — reads the request (its head, or a given number of body bytes) and then sends
 * FIN with no response: the Microgateway document's second cause, "the target server prematurely
 * closes the connection". It keeps reading after the FIN, so the peer sees a clean half-close
 * rather than the RST that unread data would provoke.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

export const finMidRequest = defineBackend({
  name: 'fin-mid-request',
  summary: 'reads the request, then closes (FIN) without answering (the target closing prematurely)',
  settings: z
    .object({
      afterBodyBytes: z.number().int().nonnegative().default(0).describe('FIN once this much of the body has arrived; 0: as soon as the request head has'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (settings) =>
    settings.afterBodyBytes === 0
      ? 'reads the request head, then sends FIN without a response'
      : `reads the request head and ${settings.afterBodyBytes} body bytes, then sends FIN without a response`,
  async serve(settings, backend, listenOptions) {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      const conn = backend.track(socket);
      whenRequestRead(socket, backend, conn, settings.afterBodyBytes, () => {
        backend.record('fin-sent', conn);
        socket.end();
      });
      socket.on('end', () => socket.end());
    });
    return backend.serve(server, listenOptions);
  },
});
