/**
 * no-content-with-body — answers 204 (or 205) and yet sends a body with a Content-Length, which
 * HTTP forbids. Edge rejects such a response (protocol.http.ResponseWithBody). Node's parser, and
 * so Microgateway, takes the 204 as having no body and then fails on the bytes that follow a
 * `Connection: close` message (HPE_CLOSED_CONNECTION), so Microgateway answers 502 with that
 * parse error, as microgateway-core itself does. With an empty body the 204 is what HTTP asks
 * for (no body, no Content-Length): the fix. With a Content-Encoding and no body, Edge still
 * refuses a 204 (its playbook's table) and lets a 205 through; Microgateway passes both on.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

/** The response's bytes: the status line, the Content-Encoding if any, and the body with its framing when there is one. */
function noContentResponse(status: 204 | 205, body: string, contentEncoding: string | undefined): string {
  const reason = status === 204 ? 'No Content' : 'Reset Content';
  const encoding = contentEncoding === undefined ? '' : `Content-Encoding: ${contentEncoding}\r\n`;
  const framing = body === '' ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
  return `HTTP/1.1 ${status} ${reason}\r\n${encoding}${framing}Connection: close\r\n\r\n${body}`;
}

export const noContentWithBody = defineBackend({
  name: 'no-content-with-body',
  summary: 'answers 204 with a body (a response HTTP forbids)',
  settings: z
    .object({
      status: z.union([z.literal(204), z.literal(205)]).default(204).describe('the status it answers'),
      body: z.string().default('{"note":"a body that a 204 must not have"}').describe('the body it sends with it anyway ("": none, and no Content-Length: the fix)'),
      contentEncoding: z.string().optional().describe('a Content-Encoding header to send with it, e.g. gzip (which Edge refuses on a 204 even with no body)'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (settings) => {
    const encoding = settings.contentEncoding === undefined ? '' : ` and Content-Encoding: ${settings.contentEncoding}`;
    return settings.body === ''
      ? `answers ${settings.status} with no body and no Content-Length${encoding}${encoding ? '' : ', as HTTP requires'}`
      : `answers ${settings.status} with a ${Buffer.byteLength(settings.body)}-byte body and a Content-Length${encoding}`;
  },
  async serve(settings, backend, listenOptions) {
    const response = noContentResponse(settings.status, settings.body, settings.contentEncoding);
    const server = net.createServer((socket) => {
      const conn = backend.track(socket);
      whenRequestRead(socket, backend, conn, 0, () => {
        socket.end(response, () => backend.record('responded', conn, { detail: String(settings.status) }));
      });
    });
    return backend.serve(server, listenOptions);
  },
});
