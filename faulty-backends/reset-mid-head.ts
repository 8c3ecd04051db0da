/**
 * reset-mid-head — sends the status line and one header line, then resets the connection
 * (SO_LINGER 0: RST) before the blank line that ends the head: the response head is cut short by
 * a target process that crashes while it answers.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw } from './respond-raw.ts';

export const resetMidHead = defineBackend({
  name: 'reset-mid-head',
  summary: 'sends the status line and part of the headers, then resets the connection (RST)',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: () => 'sends the status line and one header, then resets the connection (RST)',
  async serve(_settings, backend, listenOptions) {
    const bytes = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n';
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'rst', 'part of a response head');
    });
    return backend.serve(server, listenOptions);
  },
});
