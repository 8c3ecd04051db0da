/**
 * bad-status-line — answers with a status line whose code is not three digits
 * ("HTTP/1.1 2x0 OK"); Node's parser rejects it (HPE_INVALID_STATUS) before any header is read.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw } from './respond-raw.ts';

export const badStatusLine = defineBackend({
  name: 'bad-status-line',
  summary: 'answers with a status line HTTP does not allow',
  settings: z.object({
    statusLine: z.string().min(1).regex(/^[^\r\n]*$/, 'one line, without CR or LF').default('HTTP/1.1 2x0 OK'),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers with the status line ${JSON.stringify(s.statusLine)}`,
  async serve(s, backend, listenOptions) {
    const bytes = `${s.statusLine}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok`;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', 'a bad status line');
    });
    return backend.serve(server, listenOptions);
  },
});
