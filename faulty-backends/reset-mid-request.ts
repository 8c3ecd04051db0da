/**
 * reset-mid-request — reads the request (its head, or a given number of body bytes) and then
 * resets the connection (SO_LINGER 0: the peer sees RST, not FIN). A target process that crashes
 * or a middlebox that kills the flow looks like this.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

export const resetMidRequest = defineBackend({
  name: 'reset-mid-request',
  summary: 'reads the request, then resets the connection (RST instead of FIN)',
  settings: z
    .object({
      afterBodyBytes: z.number().int().nonnegative().default(0).describe('RST once this much of the body has arrived; 0: as soon as the request head has'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (settings) =>
    settings.afterBodyBytes === 0
      ? 'reads the request head, then resets the connection (RST)'
      : `reads the request head and ${settings.afterBodyBytes} body bytes, then resets the connection (RST)`,
  async serve(settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      whenRequestRead(socket, backend, conn, settings.afterBodyBytes, () => {
        backend.record('rst-sent', conn);
        socket.resetAndDestroy();
      });
    });
    return backend.serve(server, listenOptions);
  },
});
