/**
 * fin-mid-head — sends the status line and one header line, then closes the connection (FIN)
 * before the blank line that ends the head: the response head is cut short.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw } from './respond-raw.ts';

export const finMidHead = defineBackend({
  name: 'fin-mid-head',
  summary: 'sends the status line and part of the headers, then closes (FIN)',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: (s) => `sends the status line and one header, then closes (FIN)`,
  async serve(s, backend, listenOptions) {
    const bytes = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n';
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'fin', 'part of a response head');
    });
    return backend.serve(server, listenOptions);
  },
});
