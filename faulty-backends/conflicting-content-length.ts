/**
 * conflicting-content-length — answers 200 with two Content-Length headers that disagree; HTTP
 * says such a message cannot be framed, and Node's parser rejects it (HPE_UNEXPECTED_CONTENT_LENGTH).
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { bodyOf, respondRaw, responseHead } from './respond-raw.ts';

export const conflictingContentLength = defineBackend({
  name: 'conflicting-content-length',
  summary: 'answers with two Content-Length headers that disagree',
  settings: z.object({
    lengths: z.array(z.number().int().nonnegative()).min(2).default([2, 4]),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Length ${s.lengths.join(" and Content-Length ")}`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ...s.lengths.map((n) => ['Content-Length', n] as const)]) + bodyOf(Math.max(...s.lengths));
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', 'two Content-Length headers');
    });
    return backend.serve(server, listenOptions);
  },
});
