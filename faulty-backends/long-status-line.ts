/**
 * long-status-line — answers 200 with a reason phrase long enough that the status line passes
 * 2,048 bytes, the limit of Edge's Message Processor (protocol.http.TooBigLine). Node's parser
 * counts the status line against its 16 KiB header limit, so Microgateway passes it on.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw, responseHead } from './respond-raw.ts';

export const longStatusLine = defineBackend({
  name: 'long-status-line',
  summary: 'answers with a status line longer than 2,048 bytes',
  settings: z.object({ lineBytes: z.number().int().min(16).max(8192).default(2100) }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with a ${s.lineBytes}-byte status line`,
  async serve(s, backend, listenOptions) {
    // "HTTP/1.1 200 " is 13 bytes; the reason phrase fills the rest.
    const reason = 'O'.repeat(s.lineBytes - 'HTTP/1.1 200 '.length);
    const bytes = responseHead(`200 ${reason}`, [['Content-Type', 'text/plain'], ['Content-Length', 2]]) + 'ok';
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', `200, a ${s.lineBytes}-byte status line`);
    });
    return backend.serve(server, listenOptions);
  },
});
