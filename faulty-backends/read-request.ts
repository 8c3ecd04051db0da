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
      request = { method, path, bodyBytes: head.length - end - HEAD_END.length };
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
