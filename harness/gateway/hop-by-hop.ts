/**
 * The header fields that belong to one connection, not to the message (RFC 9110 §7.6.1): a proxy
 * removes them, and every field the Connection header names, before it forwards a message either
 * way. Node writes the framing of each hop itself, so Transfer-Encoding is not copied either: a
 * `chunked` the client sent is the framing Node re-applies on the next hop, which stays.
 *
 * `Trailer` announces fields after a chunked body. The gateway forwards the body, not the client's
 * trailer fields, so the announcement goes too; left in, Node's client throws
 * ERR_HTTP_TRAILER_INVALID whenever the forwarded body is not chunked (no body at all, or a DELETE
 * or OPTIONS whose Transfer-Encoding http-proxy replaces with Content-Length: 0).
 */
import type http from 'node:http';

export const hopByHopFields = ['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'proxy-authorization', 'proxy-authenticate'] as const;

/** Whether a Connection header value asks to close the connection after this message. */
export function asksToClose(connection: string | undefined): boolean {
  return connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(connection);
}

const HOP_BY_HOP: ReadonlySet<string> = new Set(hopByHopFields);

/** A loop, not `some` with a closure: this runs for every request. */
function hasHopByHopField(headers: http.IncomingHttpHeaders): boolean {
  for (const name of hopByHopFields) if (headers[name] !== undefined) return true;
  return false;
}

/**
 * The fields without the hop-by-hop ones and those Connection names. The same object when there is
 * none to drop; otherwise a new one, the fields in their order: deleting a field would turn the
 * object into a slow dictionary, and every reader after (http-proxy's copy of it) would pay for it.
 */
export function withoutHopByHop(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const drop = droppedFields(headers);
  if (drop === HOP_BY_HOP && !hasHopByHopField(headers)) return headers;
  const kept: http.IncomingHttpHeaders = {};
  for (const name of Object.keys(headers)) if (!drop.has(name)) kept[name] = headers[name];
  return kept;
}

/**
 * The fields a message passed on leaves behind: the hop-by-hop ones, and those its Connection
 * names. The one shared set unless Connection names a field of the message (a new set then).
 */
export function droppedFields(headers: http.IncomingHttpHeaders): ReadonlySet<string> {
  const connection = headers.connection;
  // What a Node target sends names only a hop-by-hop field.
  if (connection === undefined || connection === 'keep-alive') return HOP_BY_HOP;
  let named: Set<string> | undefined;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && !HOP_BY_HOP.has(name) && headers[name] !== undefined) (named ??= new Set(HOP_BY_HOP)).add(name);
  }
  return named ?? HOP_BY_HOP;
}

/** Removes the Trailer field: the trailer fields it announces are not forwarded. */
export function dropUnusableTrailer(headers: http.IncomingHttpHeaders): void {
  if (headers.trailer !== undefined) delete headers.trailer;
}
