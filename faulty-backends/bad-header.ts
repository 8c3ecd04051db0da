/**
 * bad-header — answers 200 with a header line whose name holds a space ("Bad Header: …"), which
 * no HTTP field name may; Node's parser rejects the head (HPE_INVALID_HEADER_TOKEN).
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw } from './respond-raw.ts';

export const badHeader = defineBackend({
  name: 'bad-header',
  summary: 'answers with a header line that HTTP does not allow',
  settings: z.object({
    headerLine: z.string().min(1).regex(/^[^\r\n]*$/, 'one line, without CR or LF').default('Bad Header: a space in the name'),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with the header line ${JSON.stringify(s.headerLine)}`,
  async serve(s, backend, listenOptions) {
    const bytes = `HTTP/1.1 200 OK\r\n${s.headerLine}\r\nContent-Length: 2\r\n\r\nok`;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', 'a bad header');
    });
    return backend.serve(server, listenOptions);
  },
});
