/**
 * The target's response, passed on to the client. http-proxy would copy it with its outgoing
 * passes, a setHeader() per field and then a pipe; the gateway asks it to leave the response alone
 * (selfHandleResponse) and does the same work in one pass, which saved Edge 7-10 % of a healthy
 * request's CPU and Microgateway 2-6 % (bench/README.md). The client receives what http-proxy's
 * passes send:
 *  - removeChunked: an HTTP/1.0 client gets no Transfer-Encoding;
 *  - setConnection: an HTTP/1.0 client gets its own Connection or `close`; any other, when the
 *    response names none, its own or `keep-alive`;
 *  - writeHeaders: every field that has a value, its name as Node lower-cased it, in its order;
 *  - writeStatusCode: the status and, when there is one, the reason phrase.
 * As with http-proxy, Node sends the head with the body's first byte (or its end): until then the
 * client's response has not begun, and a failure is answered as if nothing had been passed on.
 */
import type http from 'node:http';
import type { OutgoingHttpHeader } from 'node:http';

/** The head of the client's response: status, reason phrase, and the fields as writeHead takes them flat. */
export interface ClientHead {
  readonly status: number;
  readonly statusMessage: string;
  readonly fields: OutgoingHttpHeader[];
}

/**
 * The client's head, from the target's: without the fields in `drop` (none, when absent), with
 * `added` after the target's. Where `drop` holds Connection, the target's is not passed on and the
 * client's Connection comes last: `connection`, this hop's own, or else http-proxy's rule.
 */
export function clientHead(
  proxyRes: http.IncomingMessage,
  req: http.IncomingMessage,
  drop: ReadonlySet<string> | undefined,
  connection: string | undefined,
  added?: readonly [string, string],
): ClientHead {
  const headers = proxyRes.headers;
  const http10 = req.httpVersion === '1.0';
  const targetConnection = drop?.has('connection') === true ? undefined : headers.connection;
  // setConnection's rule (its `||`: an empty value counts as none), over this hop's own Connection.
  const own = connection ?? targetConnection;
  const connectionValue = http10 ? req.headers.connection || 'close' : own || req.headers.connection || 'keep-alive';
  const fields: OutgoingHttpHeader[] = [];
  let connectionWritten = false;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || drop?.has(name) === true || (http10 && name === 'transfer-encoding')) continue;
    if (name === 'connection') {
      // The target's Connection keeps its place, with the value setConnection gives it.
      fields.push(name, connectionValue);
      connectionWritten = true;
      continue;
    }
    fields.push(name, value);
  }
  if (added) fields.push(added[0], added[1]);
  if (!connectionWritten) fields.push('connection', connectionValue);
  return { status: proxyRes.statusCode ?? 0, statusMessage: proxyRes.statusMessage ?? '', fields };
}

/** Writes the head (sent by Node with the first byte that follows). */
export function writeClientHead(res: http.ServerResponse, head: ClientHead): void {
  if (head.statusMessage) res.writeHead(head.status, head.statusMessage, head.fields);
  else res.writeHead(head.status, head.fields);
}

/** The head's fields set on the client's response one by one, where an answer is written over them. */
export function setClientHead(res: http.ServerResponse, head: ClientHead): void {
  const { fields } = head;
  for (let index = 0; index < fields.length; index += 2) res.setHeader(String(fields[index]), fields[index + 1] as string | string[]);
  if (head.statusMessage) res.statusMessage = head.statusMessage;
}

/** What stops the passing of a response: a failure answered in its place. */
export interface Passing {
  passing: boolean;
}

/**
 * Streams the target's body to the client, the head written with its first byte, at the pace the
 * client reads it (the target's response pauses while the client's is full, as a pipe would).
 */
export function passResponse(proxyRes: http.IncomingMessage, res: http.ServerResponse, head: ClientHead, state: Passing): void {
  state.passing = true;
  let waitsForDrain = false;
  proxyRes.on('data', (chunk: Buffer) => {
    if (!state.passing) return;
    if (!res.headersSent) writeClientHead(res, head);
    if (res.write(chunk)) return;
    proxyRes.pause();
    if (waitsForDrain) return;
    waitsForDrain = true;
    res.on('drain', () => proxyRes.resume());
  });
  proxyRes.on('end', () => {
    if (!state.passing) return;
    if (!res.headersSent) writeClientHead(res, head);
    res.end();
  });
}
