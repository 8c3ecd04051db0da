/**
 * A target response whose body the product holds whole before answering (Edge decoding a
 * Content-Encoding it supports). Nothing of it reaches the client until the product has judged the
 * whole body: then it goes out as it came, under the head the client would have had, or the
 * refusal is answered.
 */
import type http from 'node:http';
import { writeClientHead, type ClientHead } from './pass-response.ts';
import type { HeldBody, ResponseRefusal } from './personality.ts';

export function holdResponse(proxyRes: http.IncomingMessage, res: http.ServerResponse, held: HeldBody, head: ClientHead, refuse: (refusal: ResponseRefusal) => void): void {
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
    void held.check(body).then((refusal) => {
      if (refusal) return refuse(refusal);
      writeClientHead(res, head);
      res.end(body);
    });
  });
}
