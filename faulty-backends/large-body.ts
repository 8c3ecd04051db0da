/**
 * large-body — answers 200 with a body one byte over 10 MB (10 × 1024 × 1024 bytes, announced by
 * its Content-Length), past the Message Processor's payload limit ("502 Bad Gateway - TooBigBody":
 * protocol.http.TooBigBody). Microgateway has no such limit and passes it on. The body is one
 * buffer made at the first request, written with the socket's backpressure; with `chunked`, sent
 * chunked with no Content-Length, which Edge (buffering, as it does unless streaming is on) counts
 * as it holds it.
 */
import { z } from 'zod';
import { DEFAULT_BUFFER_LIMIT } from '../harness/config/edge.ts';
import { defineBackend } from './backend.ts';
import { serveHttp } from './serve-http.ts';


export const largeBody = defineBackend({
  name: 'large-body',
  summary: "answers with a body over Edge's 10 MB payload limit",
  settings: z
    .object({
      bodyBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(DEFAULT_BUFFER_LIMIT + 1).describe('bytes of body in the answer'),
      chunked: z.boolean().default(false).describe('send the body chunked, with no Content-Length (Edge counts it as it holds it)'),
    })
    .strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with a ${s.bodyBytes}-byte body${s.chunked ? ', chunked' : ' and its Content-Length'}`,
  // The model's row sends a smaller body (the table's); on the stage it is the default's failure.
  demo: { failure: 'receiving-body × body-over-limit' },
  async serve(s, backend, listenOptions) {
    // Made at the first request: a stage that starts every backend pays nothing for it.
    let body: Buffer | undefined;
    return serveHttp(backend, listenOptions, (_req, res, done) => {
      res.writeHead(200, s.chunked ? { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' } : { 'Content-Type': 'text/plain', 'Content-Length': s.bodyBytes });
      res.end((body ??= Buffer.alloc(s.bodyBytes, 'x')), () => done(`200, ${s.bodyBytes} body bytes`));
    });
  },
});
