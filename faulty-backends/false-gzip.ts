/**
 * false-gzip — answers 200 with `Content-Encoding: gzip` over a body that is plain text, not gzip.
 * The Message Processor decodes a response whose Content-Encoding it supports (gzip, deflate, or
 * both in turn) and fails on this one ("502 Bad Gateway - DecompressionFailureAtResponse").
 * Microgateway never decodes a body and passes it on as it came.
 */
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { serveHttp } from './serve-http.ts';

export const falseGzip = defineBackend({
  name: 'false-gzip',
  summary: 'answers with Content-Encoding: gzip over a body that is not gzip',
  settings: z
    .object({
      encoding: z.string().regex(/^[A-Za-z0-9, -]+$/, 'a Content-Encoding value').default('gzip').describe('the Content-Encoding it claims'),
      body: z.string().min(1).default('{"note":"plain text, not gzip"}').describe('the body it sends as it is'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with Content-Encoding: ${s.encoding} over a plain ${Buffer.byteLength(s.body)}-byte body`,
  async serve(s, backend, listenOptions) {
    return serveHttp(backend, listenOptions, (_req, res, done) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': s.encoding, 'Content-Length': Buffer.byteLength(s.body) });
      res.end(s.body, () => done(`200, Content-Encoding: ${s.encoding}, a plain body`));
    });
  },
});
