/**
 * large-headers — answers 200 with a response head whose header lines (`Name: value` and its CRLF,
 * each) come to more than 25,600 bytes, the Message Processor's limit ("502 Bad Gateway -
 * TooBigHeaders": protocol.http.TooBigHeaders). Node's parser stops at 16 KiB of its own, so
 * Microgateway answers 502 with HPE_HEADER_OVERFLOW; below 16 KiB both pass it on.
 */
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { serveHttp } from './serve-http.ts';

/** Every header line the answer carries besides the padding: Node's own (Date, Connection, Keep-Alive) are given or left out, so the count is exact. */
const FIXED: readonly (readonly [string, string])[] = [['Content-Type', 'text/plain'], ['Content-Length', '2'], ['Connection', 'keep-alive'], ['Keep-Alive', 'timeout=5']];
const lineBytes = (name: string, value: string) => name.length + value.length + 4;
const PADDING = 'X-Padding';

export const largeHeaders = defineBackend({
  name: 'large-headers',
  summary: "answers with response headers over Edge's 25,600-byte limit",
  settings: z
    .object({ headerBytes: z.number().int().min(128).max(1024 * 1024).default(26000).describe('bytes of header lines in the answer (each "Name: value" and its CRLF)') })
    .strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 with ${s.headerBytes} bytes of header lines`,
  async serve(s, backend, listenOptions) {
    const fixed = FIXED.reduce((sum, [name, value]) => sum + lineBytes(name, value), 0);
    const padding = 'p'.repeat(s.headerBytes - fixed - lineBytes(PADDING, ''));
    return serveHttp(backend, listenOptions, (_req, res, done) => {
      res.sendDate = false;
      res.writeHead(200, [...FIXED.flat(), PADDING, padding]);
      res.end('ok', () => done(`200, ${s.headerBytes} bytes of header lines`));
    });
  },
});
