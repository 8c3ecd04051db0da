/**
 * overlong-body — answers 200 with a Content-Length shorter than the body it sends, in one write:
 * the bytes past the declared length reach the gateway's HTTP parser as if they began the next
 * response on the connection, and it rejects them (HPE_INVALID_CONSTANT). The connection stays
 * open, as a keep-alive server's would.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { bodyOf, respondRaw, responseHead } from './respond-raw.ts';

export const overlongBody = defineBackend({
  name: 'overlong-body',
  summary: 'sends more body bytes than its Content-Length says (framing that lies)',
  settings: z
    .object({
      contentLength: z.number().int().nonnegative().default(16),
      extraBytes: z.number().int().positive().default(16),
    })
    .strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Length ${s.contentLength} and sends ${s.contentLength + s.extraBytes} body bytes in one write`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', s.contentLength]]) + bodyOf(s.contentLength + s.extraBytes);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', `200, ${s.contentLength + s.extraBytes} body bytes for Content-Length ${s.contentLength}`);
    });
    return backend.serve(server, listenOptions);
  },
});
