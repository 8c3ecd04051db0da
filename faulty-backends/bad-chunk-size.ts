/**
 * bad-chunk-size — answers 200 with Transfer-Encoding: chunked and a first chunk whose size is
 * not hexadecimal ("zz"); the head parses, the body does not (HPE_INVALID_CHUNK_SIZE).
 */
import net from 'node:net';
import { z } from 'zod';
import { defineBackend } from './backend.ts';
import { respondRaw, responseHead } from './respond-raw.ts';

export const badChunkSize = defineBackend({
  name: 'bad-chunk-size',
  summary: 'answers chunked with a chunk size that is not hexadecimal',
  settings: z.object({
    chunkSize: z.string().min(1).regex(/^[^\r\n]*$/, 'one line, without CR or LF').default('zz'),
  }).strict(),
  protocol: () => 'http',
  explain: (s) => `answers 200 chunked, with the chunk size ${JSON.stringify(s.chunkSize)}`,
  async serve(s, backend, listenOptions) {
    const bytes = responseHead('200 OK', [['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']]) + `${s.chunkSize}\r\nok\r\n0\r\n\r\n`;
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      respondRaw(socket, backend, backend.track(socket), bytes, 'silence', 'a bad chunk size');
    });
    return backend.serve(server, listenOptions);
  },
});
