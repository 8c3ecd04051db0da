/**
 * reset-mid-body — answers 200 with a Content-Length, sends the head and the first bytes of the
 * body, then resets the connection (SO_LINGER 0: RST). A target process killed while it writes a
 * large response looks like this.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { bodyOf, respondRaw, responseHead } from './respond-raw.ts';

export const resetMidBody = defineBackend({
  name: 'reset-mid-body',
  summary: 'sends the response head and part of the body, then resets the connection (RST)',
  settings: z.object({
    contentLength: z.number().int().positive().default(1024),
    sentBytes: z.number().int().nonnegative().default(16),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Length ${s.contentLength}, sends ${s.sentBytes} body bytes, then resets the connection (RST)`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', s.contentLength]]) + bodyOf(s.sentBytes);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'rst', `200, ${s.sentBytes} of ${s.contentLength} body bytes`);
    });
    return backend.serve(server, listenOptions);
  },
});
