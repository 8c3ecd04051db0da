/**
 * The fuzzer's grammar: HTTP/1.x requests as raw bytes, drawn by fast-check, with what a client
 * then does. Methods, request targets and versions, right and wrong; header sets that include the
 * hop-by-hop fields, Trailer, TE, Expect, Upgrade, duplicated and conflicting framing, huge and odd
 * values; bodies framed rightly and wrongly; and a client that reads the answer, or stops (FIN) or
 * resets (RST) at any byte.
 */
import fc from 'fast-check';

export type Ending = 'read' | 'fin' | 'reset';

export interface FuzzRequest {
  /** every byte the client would send */
  bytes: Buffer;
  /** what the client does: read the answer, or stop after `stopAt` bytes with a FIN or an RST */
  ending: Ending;
  /** how many bytes are written before a FIN or an RST (all of them when reading) */
  stopAt: number;
  /** the method, for knowing whether an answer has a body */
  method: string;
}

const methods = fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'FOO', 'M-SEARCH');
const targets = fc.oneof(
  fc.constantFrom('/', '/orders?id=1', '*', 'http://example.test/x', '//x', '/../../etc', '/%00', '/a b', '/\u00e9'),
  fc.stringMatching(/^\/[a-z0-9/?=&%._-]{0,40}$/),
  fc.integer({ min: 1, max: 20_000 }).map((n) => `/${'a'.repeat(n)}`),
);
const versions = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1 ', 'http/1.1');

const oddValues = fc.oneof(
  fc.constantFrom('', ' ', '\t', 'a\tb', '\u00ff\u0080', 'x'.repeat(9000), '"quoted"', ',,,', 'close, close', '0', '-1', '1e3', ' 5'),
  fc.string({ maxLength: 30 }).map((text) => text.replace(/[\r\n]/g, '')),
);

/** One header line: a field from the grammar and a value for it. */
const header: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('Connection'), fc.constantFrom('close', 'keep-alive', 'Upgrade', 'keep-alive, X-Hop', 'te, trailers', 'CLOSE', 'close, te')),
  fc.tuple(fc.constant('Keep-Alive'), fc.constantFrom('timeout=5', 'timeout=99999999999', 'max=0')),
  fc.tuple(fc.constant('Proxy-Connection'), fc.constantFrom('keep-alive', 'close')),
  fc.tuple(fc.constant('TE'), fc.constantFrom('trailers', 'gzip', 'chunked', 'trailers, deflate;q=0.5')),
  fc.tuple(fc.constant('Trailer'), fc.constantFrom('X-T', 'Content-Length', 'Transfer-Encoding', '')),
  fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '100-Continue', 'foo', '')),
  fc.tuple(fc.constant('Upgrade'), fc.constantFrom('websocket', 'h2c', 'HTTP/2.0', 'TLS/1.2')),
  fc.tuple(fc.constant('Sec-WebSocket-Key'), fc.constant('dGhlIHNhbXBsZSBub25jZQ==')),
  fc.tuple(fc.constant('Proxy-Authorization'), fc.constantFrom('Basic dXNlcjpwYXNz', '')),
  fc.tuple(fc.constant('Transfer-Encoding'), fc.constantFrom('chunked', 'gzip, chunked', 'chunked, chunked', 'identity', 'gzip', ' chunked')),
  fc.tuple(fc.constant('Content-Length'), fc.constantFrom('0', '5', '100', '-1', 'abc', '5, 5', '99999999999999999999')),
  fc.tuple(fc.constant('Host'), fc.constantFrom('example.test', '', 'a b', 'example.test:99999')),
  fc.tuple(fc.constant('X-Api-Key'), oddValues),
  fc.tuple(fc.constantFrom('X-Odd', 'Accept', 'Cookie', 'X-Forwarded-For', 'Via'), oddValues),
  fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), oddValues),
);

type Framing = 'none' | 'length' | 'length-short' | 'length-long' | 'chunked' | 'chunked-trailer' | 'chunked-bad-size' | 'chunked-unended';

function body(framing: Framing, payload: string): { headers: string[]; bytes: string } {
  const length = Buffer.byteLength(payload);
  const hex = length.toString(16);
  switch (framing) {
    case 'none':
      return { headers: [], bytes: '' };
    case 'length':
      return { headers: [`Content-Length: ${length}`], bytes: payload };
    case 'length-short':
      return { headers: [`Content-Length: ${length + 10}`], bytes: payload };
    case 'length-long':
      return { headers: [`Content-Length: ${Math.max(0, length - 1)}`], bytes: `${payload}GET / HTTP/1.1\r\n\r\n` };
    case 'chunked':
      return { headers: ['Transfer-Encoding: chunked'], bytes: `${length ? `${hex}\r\n${payload}\r\n` : ''}0\r\n\r\n` };
    case 'chunked-trailer':
      return { headers: ['Transfer-Encoding: chunked', 'Trailer: X-T'], bytes: `${hex}\r\n${payload}\r\n0\r\nX-T: 1\r\n\r\n` };
    case 'chunked-bad-size':
      return { headers: ['Transfer-Encoding: chunked'], bytes: `zz\r\n${payload}\r\n0\r\n\r\n` };
    case 'chunked-unended':
      return { headers: ['Transfer-Encoding: chunked'], bytes: `${hex}\r\n${payload}\r\n` };
  }
}

const framings = fc.constantFrom<Framing>('none', 'none', 'length', 'length', 'length-short', 'length-long', 'chunked', 'chunked-trailer', 'chunked-bad-size', 'chunked-unended');

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: methods,
    target: targets,
    version: versions,
    host: fc.boolean(),
    headers: fc.array(header, { maxLength: 8 }),
    many: fc.nat({ max: 120 }),
    framing: framings,
    payload: fc.oneof(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 300_000 }).map((n) => 'b'.repeat(n))),
    lineEnd: fc.constantFrom('\r\n', '\r\n', '\r\n', '\n'),
    ending: fc.constantFrom<Ending>('read', 'read', 'fin', 'reset'),
    stopFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((draw) => {
    const framed = body(draw.framing, draw.payload);
    const lines = [
      `${draw.method} ${draw.target} ${draw.version}`,
      ...(draw.host ? ['Host: example.test'] : []),
      ...draw.headers.map(([name, value]) => `${name}: ${value}`),
      ...Array.from({ length: draw.many }, (_, index) => `X-Many-${index}: ${index}`),
      ...framed.headers,
    ];
    // Mostly CRLF; bare LF is one of the shapes a parser must refuse or accept consistently.
    const head = `${lines.join(draw.lineEnd)}\r\n\r\n`;
    const bytes = Buffer.from(head + framed.bytes, 'latin1');
    const stopAt = draw.ending === 'read' ? bytes.length : Math.floor(draw.stopFraction * bytes.length);
    return { bytes, ending: draw.ending, stopAt, method: draw.method.toUpperCase() };
  });
