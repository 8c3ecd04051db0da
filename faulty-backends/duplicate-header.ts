/**
 * duplicate-header — answers 200 with the same header twice (by default Expires, the header of
 * Apigee's "502 Bad Gateway - DuplicateHeader" playbook), which HTTP allows only for headers whose
 * value is a list. Edge refuses it (protocol.http.DuplicateHeader); Node keeps the first Expires,
 * so Microgateway passes it on.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw, responseHead } from './respond-raw.ts';

export const duplicateHeader = defineBackend({
  name: 'duplicate-header',
  summary: 'answers with a header that may appear once sent twice (Expires)',
  settings: z.object({ header: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name').default('Expires') }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with the ${s.header} header twice`,
  async serve(s, backend, listenOptions) {
    const head = responseHead('200 OK', [
      ['Content-Type', 'text/plain'],
      [s.header, 'Thu, 01 Jan 2026 00:00:00 GMT'],
      [s.header, 'Fri, 02 Jan 2026 00:00:00 GMT'],
      ['Content-Length', 2],
    ]);
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), `${head}ok`, 'silence', `200, ${s.header} twice`);
    });
    return backend.serve(server, listenOptions);
  },
});
