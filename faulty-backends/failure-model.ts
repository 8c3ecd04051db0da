/**
 * The failure-phase model: for each phase of an exchange with a target and each way the target or
 * the path can fail there, the backend that makes that failure happen (one fault, one backend)
 * and its settings. The differential suite runs every row × method × engine release; the README's
 * table of answers lists every row. A row names a target URL instead of a backend where no server
 * is needed (a name that cannot resolve).
 */
import { failureKey, type FailureKey, type ModelFailure } from './faults.ts';
import type { BackendName } from './index.ts';

export { faults, type Fault } from './faults.ts';

export interface ModelRow extends ModelFailure {
  /** the backend that fails this way, or a URL no server needs to stand behind */
  target: { backend: BackendName; settings?: Record<string, unknown> } | { url: string };
  /** the methods the row applies to (default: all); a body to send makes the sending phase */
  methods?: readonly Method[];
  /** a POST body of this size, where the sending phase needs more than the kernel's socket buffers hold */
  bodyBytes?: number;
  /** one sentence: what happens on the wire */
  wire: string;
  /**
   * Where the outcome is a race on every gateway, engine or mimic (which of its own socket
   * operations meets the RST first), the set of errors it may end in: each side must end in one.
   */
  racy?: { errors?: readonly string[]; why: string };
  /** microgateway-core's process may end on this row (write after end): a differential run gives it an engine of its own */
  endsEngine?: true;
}

/** GET and HEAD have no body; POST sends one (large where the row fails while it is being sent). */
export const methods = ['GET', 'HEAD', 'POST'] as const;
export type Method = (typeof methods)[number];

/**
 * The payload of the size rows: 1 MiB + 1 byte, past HTTPRequest/HTTPResponse.body.buffer.limit
 * set to 1 MiB. Microgateway has no limit of its own (measured with 10 MB + 1 byte: passed on both
 * ways, both releases), so the table sends less than Edge's 10 MB, and one process's ten
 * concurrent copies of it stay cheap.
 */
export const TABLE_BODY_BYTES = 1024 * 1024 + 1;

/** A host name under .invalid, which RFC 6761 reserves never to resolve. */
export const UNRESOLVABLE_TARGET = 'http://faultgate-unresolvable.invalid:8080';

export const failureModel: readonly ModelRow[] = [
  { phase: 'resolving', fault: 'dns-failure', target: { url: UNRESOLVABLE_TARGET }, wire: "the target's host name does not resolve (ENOTFOUND)" },
  { phase: 'connecting', fault: 'refused', target: { backend: 'closed-port' }, wire: 'nothing listens: the SYN is answered with RST' },
  { phase: 'handshaking', fault: 'silence', target: { backend: 'swallow-client-hello' }, wire: 'the TLS Client Hello is never answered' },
  { phase: 'handshaking', fault: 'fin', target: { backend: 'fin-mid-handshake' }, wire: 'FIN after the TLS Client Hello, no Server Hello' },
  { phase: 'handshaking', fault: 'rst', target: { backend: 'reset-mid-handshake' }, wire: 'RST after the TLS Client Hello, no Server Hello' },
  { phase: 'handshaking', fault: 'bad-certificate', target: { backend: 'healthy', settings: { tls: true } }, wire: 'the target presents a self-signed certificate' },
  { phase: 'sending', fault: 'fin', target: { backend: 'fin-mid-request', settings: { afterBodyBytes: 64 * 1024 } }, methods: ['POST'], wire: 'FIN after 64 KiB of a 1 MiB request body' },
  {
    phase: 'sending',
    fault: 'rst',
    target: { backend: 'reset-mid-request', settings: { afterBodyBytes: 64 * 1024 } },
    methods: ['POST'],
    wire: 'RST after 64 KiB of a 1 MiB request body',
    racy: { errors: ['read ECONNRESET', 'write ECONNRESET', 'write EPIPE'], why: 'the RST meets a read or a write of the body, whichever comes first' },
  },
  {
    phase: 'sending',
    fault: 'silence',
    target: { backend: 'stall-mid-request' },
    methods: ['POST'],
    bodyBytes: 8 * 1024 * 1024,
    wire: 'the target stops reading after 64 KiB of an 8 MiB request body (more than loopback buffers hold)',
  },
  {
    phase: 'sending',
    fault: 'request-body-over-limit',
    target: { backend: 'healthy' },
    methods: ['POST'],
    bodyBytes: TABLE_BODY_BYTES,
    wire: "the client's POST body is past Edge's payload limit (HTTPRequest.body.buffer.limit)",
  },
  { phase: 'awaiting-response', fault: 'fin', target: { backend: 'fin-mid-request' }, wire: 'FIN once the request has arrived, no response' },
  { phase: 'awaiting-response', fault: 'rst', target: { backend: 'reset-mid-request' }, wire: 'RST once the request has arrived, no response' },
  { phase: 'awaiting-response', fault: 'silence', target: { backend: 'never-respond' }, wire: 'the request is read and never answered' },
  { phase: 'receiving-head', fault: 'fin', target: { backend: 'fin-mid-head' }, wire: 'FIN after the status line and one header' },
  {
    phase: 'receiving-head',
    fault: 'rst',
    target: { backend: 'reset-mid-head' },
    wire: 'RST after the status line and one header',
    racy: {
      errors: ['socket hang up', 'read ECONNRESET'],
      why: 'when the RST arrives before Node has read the partial head, the read fails (read ECONNRESET); when after, the socket closes with no response (socket hang up)',
    },
  },
  { phase: 'receiving-head', fault: 'silence', target: { backend: 'stall-mid-head' }, wire: 'silence after the status line and one header' },
  { phase: 'receiving-head', fault: 'not-http', target: { backend: 'not-http' }, wire: 'the answer is an SSH banner' },
  { phase: 'receiving-head', fault: 'invalid-status-line', target: { backend: 'bad-status-line' }, wire: 'HTTP/1.1 2x0 OK' },
  { phase: 'receiving-head', fault: 'bad-header', target: { backend: 'bad-header' }, wire: 'a header name with a space in it' },
  { phase: 'receiving-head', fault: '405-without-allow', target: { backend: 'method-not-allowed' }, wire: '405 Method Not Allowed without Allow', policyRefusal: true },
  { phase: 'receiving-head', fault: 'long-status-line', target: { backend: 'long-status-line' }, wire: 'a 2,100-byte status line', policyRefusal: true },
  { phase: 'receiving-head', fault: 'duplicate-header', target: { backend: 'duplicate-header' }, wire: 'Expires twice', policyRefusal: true },
  { phase: 'receiving-head', fault: 'headers-over-limit', target: { backend: 'large-headers' }, wire: "26,000 bytes of header lines: past Edge's 25,600 and Node's 16 KiB" },
  {
    phase: 'receiving-head',
    fault: 'content-encoding-on-204',
    target: { backend: 'no-content-with-body', settings: { body: '', contentEncoding: 'gzip' } },
    wire: '204 with no body and Content-Encoding: gzip',
    policyRefusal: true,
  },
  { phase: 'receiving-head', fault: 'conflicting-content-length', target: { backend: 'conflicting-content-length' }, wire: 'Content-Length: 2 and Content-Length: 4' },
  { phase: 'receiving-body', fault: 'fin', target: { backend: 'fin-mid-body' }, wire: 'FIN after 16 of 1024 body bytes' },
  {
    phase: 'receiving-body',
    fault: 'rst',
    target: { backend: 'reset-mid-body' },
    wire: 'RST after 16 of 1024 body bytes',
    racy: { why: 'when the gateway reads the 16 bytes and the RST in one go, Node reports a read ECONNRESET on the request as well as the aborted response' },
  },
  { phase: 'receiving-body', fault: 'silence', target: { backend: 'stall-mid-body' }, wire: 'silence after 16 of 1024 body bytes' },
  { phase: 'receiving-body', fault: 'bad-chunk-size', target: { backend: 'bad-chunk-size' }, wire: 'chunked, with the chunk size "zz"' },
  { phase: 'receiving-body', fault: 'body-past-content-length', target: { backend: 'overlong-body' }, wire: '32 body bytes for Content-Length 16, in one write', endsEngine: true },
  {
    phase: 'receiving-body',
    fault: 'body-over-limit',
    target: { backend: 'large-body', settings: { bodyBytes: TABLE_BODY_BYTES } },
    wire: "a body past Edge's payload limit (HTTPResponse.body.buffer.limit)",
    policyRefusal: true,
  },
  { phase: 'receiving-body', fault: 'false-encoding', target: { backend: 'false-gzip' }, wire: 'Content-Encoding: gzip over a plain body', policyRefusal: true },
  { phase: 'receiving-body', fault: 'body-on-204', target: { backend: 'no-content-with-body' }, wire: '204 with a 42-byte body and its Content-Length' },
];

export function rowName(row: ModelRow): FailureKey {
  return failureKey(row);
}
