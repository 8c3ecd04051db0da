/**
 * fin-mid-body — answers 200 with a Content-Length, sends the head and the first bytes of the
 * body, then closes the connection (FIN): the body ends short of what the head promised. The
 * response has begun, so a gateway that streams it has already sent the client its status.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { bodyOf, respondRaw, responseHead } from './respond-raw.ts';

export const finMidBody = defineBackend({
  name: 'fin-mid-body',
  summary: 'sends the response head and part of the body, then closes (FIN) short of its Content-Length',
  settings: z.object({
    contentLength: z.number().int().positive().default(1024),
    sentBytes: z.number().int().nonnegative().default(16),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Length ${s.contentLength}, sends ${s.sentBytes} body bytes, then closes (FIN)`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', s.contentLength]]) + bodyOf(s.sentBytes);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'fin', `200, ${s.sentBytes} of ${s.contentLength} body bytes`);
    });
    return backend.serve(server, listenOptions);
  },
});
