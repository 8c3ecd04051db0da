/**
 * For backends that speak raw TCP: waits until a request's head (and, if asked, a number of its
 * body bytes) has arrived, recording what came in. The socket keeps flowing afterwards, so a peer
 * that is still sending is drained rather than reset by unread data.
 */
import type net from 'node:net';
import type { StartedBackend } from './backend.ts';

export interface RequestHead {
  method: string;
  path: string;
  /** bytes of the body that had arrived when the callback ran */
  bodyBytes: number;
  /** the request's Content-Length, 0 when it has none */
  contentLength: number;
  /** the body is chunked: it ends with the zero-length chunk */
  chunked: boolean;
  /** the body bytes that came with the head */
  firstBytes: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

export function whenRequestRead(
  socket: net.Socket,
  backend: StartedBackend,
  conn: string,
  bodyBytesWanted: number,
  onRead: (head: RequestHead) => void,
): void {
  let head: Buffer | undefined = Buffer.alloc(0);
  let request: RequestHead | undefined;
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    backend.record('received', conn, { bytes: chunk.length });
    if (done) return;
    if (head !== undefined) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end === -1) {
        if (head.length > MAX_HEAD) socket.destroy();
        return;
      }
      const [method = '', path = ''] = head.subarray(0, head.indexOf('\r\n')).toString('latin1').split(' ');
      const headText = head.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1];
      const firstBytes = head.subarray(end + HEAD_END.length);
      const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(headText);
      request = { method, path, bodyBytes: firstBytes.length, contentLength: Number(length ?? 0), chunked, firstBytes };
      head = undefined;
      backend.record('request-read', conn, { detail: `${method} ${path}` });
    } else if (request) {
      request.bodyBytes += chunk.length;
    }
    if (request && request.bodyBytes >= bodyBytesWanted) {
      done = true;
      onRead(request);
    }
  });
}
