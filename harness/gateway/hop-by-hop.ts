/**
 * The header fields that belong to one connection, not to the message (RFC 9110 §7.6.1): a proxy
 * removes them, and every field the Connection header names, before it forwards a message either
 * way. Node writes the framing of each hop itself, so Transfer-Encoding is not copied either: a
 * `chunked` the client sent is the framing Node re-applies on the next hop, which stays.
 *
 * `Trailer` announces fields after a chunked body; on a message that is not chunked it means
 * nothing, and Node's client refuses to send it (ERR_HTTP_TRAILER_INVALID), so it goes too.
 */
import type http from 'node:http';

export const hopByHopFields = ['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'proxy-authorization', 'proxy-authenticate'] as const;

/** Whether a Connection header value asks to close the connection after this message. */
export function asksToClose(connection: string | undefined): boolean {
  return connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection);
}

/** Removes the hop-by-hop fields and the fields Connection names, in place. */
export function dropHopByHop(headers: http.IncomingHttpHeaders): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && headers[name] !== undefined) delete headers[name];
    }
  }
  for (const name of hopByHopFields) if (headers[name] !== undefined) delete headers[name];
}

/** Removes a Trailer field from a message whose body is not chunked, where Node cannot send it. */
export function dropUnusableTrailer(headers: http.IncomingHttpHeaders): void {
  if (headers.trailer !== undefined && !/chunked\s*$/i.test(headers['transfer-encoding'] ?? '')) delete headers.trailer;
}
