/**
 * method-not-allowed — answers every request 405 Method Not Allowed without the Allow header that
 * HTTP requires of a 405 (RFC 9110 §15.5.6). Edge refuses such a response
 * (protocol.http.Response405WithoutAllowHeader); Node, and so Microgateway, passes it on. With
 * sendAllow, the same 405 carries `Allow: GET, POST, HEAD` (the list Apigee's pages show): the fix.
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw, responseHead } from './respond-raw.ts';

/** The methods a fixed target lists, as Apigee's "Configuring ignore allow header for 405 property" shows them. */
export const ALLOWED_METHODS = 'GET, POST, HEAD';

export const methodNotAllowed = defineBackend({
  name: 'method-not-allowed',
  summary: 'answers 405 without an Allow header',
  settings: z
    .object({
      sendAllow: z.boolean({ error: 'expected true or false' }).default(false).describe(`send Allow: ${ALLOWED_METHODS} with the 405, as HTTP requires (the fix)`),
    })
    .strict(),
  protocol: () => 'http',
  explain: (settings) => `answers every request 405 Method Not Allowed ${settings.sendAllow ? `with Allow: ${ALLOWED_METHODS}` : 'with no Allow header'}`,
  async serve(settings, backend, listenOptions) {
    const body = '{"error":"method not allowed"}';
    const allow: [string, string][] = settings.sendAllow ? [['Allow', ALLOWED_METHODS]] : [];
    const bytes = responseHead('405 Method Not Allowed', [...allow, ['Content-Type', 'application/json'], ['Content-Length', Buffer.byteLength(body)]]) + body;
    const detail = settings.sendAllow ? '405 with Allow' : '405 without Allow';
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', detail);
    });
    return backend.serve(server, listenOptions);
  },
});
