/**
 * stall-mid-head — sends the status line and one header line, never the blank line that ends the
 * head, and goes silent with the connection open. Nothing of the response can be passed on; only
 * the gateway's I/O limit ends the wait.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw } from './respond-raw.ts';

export const stallMidHead = defineBackend({
  name: 'stall-mid-head',
  summary: 'sends the status line and part of the headers, then goes silent',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: (s) => `sends the status line and one header, then goes silent with the connection open`,
  async serve(s, backend, listenOptions) {
    const bytes = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n';
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', 'part of a response head');
    });
    return backend.serve(server, listenOptions);
  },
});
