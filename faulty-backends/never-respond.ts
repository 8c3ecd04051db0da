/**
 * never-respond — reads the whole request and never answers, keeping the connection open. Only
 * the gateway's own response timeout (Edge's io.timeout.millis, Microgateway's request_timeout)
 * can end the wait.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

export const neverRespond = defineBackend({
  name: 'never-respond',
  summary: 'reads the request and never answers (a response timeout)',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: () => 'reads the request and never answers, keeping the connection open',
  async serve(_settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      whenRequestRead(socket, backend, conn, 0, () => {});
    });
    return backend.serve(server, listenOptions);
  },
});
