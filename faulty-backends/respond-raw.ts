/**
 * For raw-TCP backends whose fault is in the response: once the whole request has arrived, write bytes
 * that a well-behaved server would not send (a cut body, a bad status line, framing that lies),
 * then end the connection one of three ways: FIN, RST (SO_LINGER 0), or silence (the connection
 * stays open and the backend keeps reading, so only the gateway's own limit ends the wait).
 */
import type net from 'node:net';
import type { StartedBackend } from './backend.ts';
import { whenRequestRead } from './read-request.ts';

/** The zero-length chunk and the blank line that end a chunked body (no trailers). */
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

export type Ending = 'fin' | 'rst' | 'silence';

/** "HTTP/1.1 200 OK" with these headers, and the blank line that ends the head. */
export function responseHead(status: string, headers: readonly (readonly [string, string | number])[]): string {
  return `HTTP/1.1 ${status}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

/** A body of `bytes` bytes, printable, so that a client that shows it shows something readable. */
export const bodyOf = (bytes: number): string => 'x'.repeat(bytes);

export function respondRaw(
  socket: net.Socket,
  backend: StartedBackend,
  conn: string,
  bytes: string | Buffer,
  ending: Ending,
  detail: string,
): void {
  // The whole request first, body included, so that the response never races the request's end.
  whenRequestRead(socket, backend, conn, 0, (head) => {
    let received = head.bodyBytes;
    let tail = head.firstBytes.subarray(-LAST_CHUNK.length);
    const complete = () => (head.chunked ? tail.equals(LAST_CHUNK) : received >= head.contentLength);
    if (complete()) return respond();
    const count = (chunk: Buffer) => {
      received += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-LAST_CHUNK.length);
      if (!complete()) return;
      socket.off('data', count);
      respond();
    };
    socket.on('data', count);
  });
  const respond = () =>
    socket.write(bytes, () => {
      backend.record('responded', conn, { detail });
      if (ending === 'fin') {
        backend.record('fin-sent', conn);
        socket.end();
      } else if (ending === 'rst') {
        backend.record('rst-sent', conn);
        socket.resetAndDestroy();
      }
    });
  // A FIN from the gateway is answered with ours: the connection is over either way.
  socket.on('end', () => socket.end());
}
