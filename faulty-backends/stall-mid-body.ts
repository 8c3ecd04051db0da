/**
 * stall-mid-body — answers 200 with a Content-Length, sends the head and the first bytes of the
 * body, then goes silent with the connection open. The response has begun, so a gateway that
 * streams it has already sent the client its status; only the gateway's I/O limit (Edge's
 * io.timeout.millis, Microgateway's request_timeout) can end the exchange.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { bodyOf, respondRaw, responseHead } from './respond-raw.ts';

export const stallMidBody = defineBackend({
  name: 'stall-mid-body',
  summary: 'sends the response head and part of the body, then goes silent (a stall while the body streams)',
  settings: z
    .object({
      contentLength: z.number().int().positive().default(1024),
      sentBytes: z.number().int().nonnegative().default(16),
    })
    .strict()
    .refine((s) => s.sentBytes < s.contentLength, { message: 'sentBytes must be less than contentLength', path: ['sentBytes'] }),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Length ${s.contentLength}, sends ${s.sentBytes} body bytes, then goes silent with the connection open`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', s.contentLength]]) + bodyOf(s.sentBytes);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', `200, ${s.sentBytes} of ${s.contentLength} body bytes`);
    });
    return backend.serve(server, listenOptions);
  },
});
