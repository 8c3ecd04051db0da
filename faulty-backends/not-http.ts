/**
 * not-http — greets every connection with a line that is not HTTP (by default an SSH server's
 * banner, as when a target URL points at the wrong port) and keeps the connection open. The
 * gateway's HTTP parser fails on the first byte of the "response".
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';

export const notHttp = defineBackend({
  name: 'not-http',
  summary: 'answers with bytes that are not HTTP (a target URL pointing at the wrong service)',
  settings: z
    .object({
      greeting: z.string().min(1).default('SSH-2.0-OpenSSH_9.2p1\r\n').describe('what it sends instead of an HTTP response'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (settings) => `greets every connection with ${JSON.stringify(settings.greeting.trim())} instead of HTTP`,
  async serve(settings, backend, listenOptions) {
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      socket.on('data', (chunk: Buffer) => backend.record('received', conn, { bytes: chunk.length }));
      socket.write(settings.greeting, () => backend.record('responded', conn, { detail: 'not HTTP' }));
    });
    return backend.serve(server, listenOptions);
  },
});
