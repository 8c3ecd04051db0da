/**
 * method-not-allowed — answers every request 405 Method Not Allowed without the Allow header that
 * HTTP requires of a 405 (RFC 9110 §15.5.6). Edge refuses such a response
 * (protocol.http.Response405WithoutAllowHeader); Node, and so Microgateway, passes it on.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw, responseHead } from './respond-raw.ts';

export const methodNotAllowed = defineBackend({
  name: 'method-not-allowed',
  summary: 'answers 405 without an Allow header',
  settings: z.object({}).strict(),
  protocol: () => 'http',
  explain: () => 'answers every request 405 Method Not Allowed with no Allow header',
  async serve(_settings, backend, listenOptions) {
    const body = '{"error":"method not allowed"}';
    const bytes = responseHead('405 Method Not Allowed', [['Content-Type', 'application/json'], ['Content-Length', Buffer.byteLength(body)]]) + body;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', '405 without Allow');
    });
    return backend.serve(server, listenOptions);
  },
});
