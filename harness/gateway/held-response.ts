/**
 * A target response whose body the product holds whole before answering (Edge decoding a
 * Content-Encoding it supports). http-proxy has already copied the status and headers onto the
 * client's response, which Node sends with the first body byte; the body is taken from the pipe
 * the moment http-proxy makes it ('pipe' on the client's response), so nothing reaches the client
 * until the product has judged the whole body: then it goes out as it came, or the refusal is answered.
 */
import type http from 'node:http';
import type { HeldBody, ResponseRefusal } from './personality.ts';

export function holdResponse(proxyRes: http.IncomingMessage, res: http.ServerResponse, held: HeldBody, refuse: (refusal: ResponseRefusal) => void): void {
  res.once('pipe', (source) => {
    if (source !== proxyRes) return;
    proxyRes.unpipe(res);
    const chunks: Buffer[] = [];
    let bytes = 0;
    const collect = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= held.limit) return void chunks.push(chunk);
      proxyRes.off('data', collect);
      refuse({ kind: 'response-body-too-big' });
    };
    proxyRes.on('data', collect);
    proxyRes.once('end', () => {
      if (bytes > held.limit) return;
      const body = Buffer.concat(chunks, bytes);
      void held.check(body).then((refusal) => (refusal ? refuse(refusal) : res.end(body)));
    });
    proxyRes.resume();
  });
}
