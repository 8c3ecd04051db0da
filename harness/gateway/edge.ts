/**
 * Personality "edge": Apigee Edge's Message Processor. Its fault payloads are the Message
 * Processor's own (`{"fault":{"faultstring":…,"detail":{"errorcode":…}}}`), its target limits are
 * the HTTPTargetConnection properties, and its system.log line is the Edge document's, field for
 * field. Payloads are JSON strings built once, at load.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { join } from 'node:path';
import { DEFAULT_BUFFER_LIMIT, RESPONSE_HEADERS_LIMIT, type EdgeSettings } from '../config/edge.ts';
import type { Failure, FailureKind } from './failures.ts';
import { bodiless, declaresTooBig, edgeHeldBody, headerLineBytes, nodeHeadLimit, supportedCodings } from './edge-payload.ts';
import { createLoadBalancer, type TargetBalancer } from './load-balancer.ts';
import type { ClientRequestInfo, FailureAnswer, FailureOutcome, Personality, ResponseHead, ResponseRefusal } from './personality.ts';

/**
 * The name Trace gives the Message Processor's message id (its "Analytics Data Recorded" step).
 * Edge never sends it to the client; the harness does only when `debug.message.id.header` is on.
 */
export const MESSAGE_ID_HEADER = 'X-Apigee.Message-ID';

interface Fault {
  status: number;
  faultstring: string;
  errorcode: string;
}

const fault = (status: number, faultstring: string, errorcode: string): Fault => ({ status, faultstring, errorcode });

/** The Message Processor's faults, from the Edge documents (see the README's table of sources). */
export const edgeFaults = {
  badGateway: fault(502, 'Bad Gateway', 'messaging.adaptors.http.flow.BadGateway'),
  unexpectedEof: fault(502, 'Unexpected EOF at target', 'messaging.adaptors.http.UnexpectedEOFAtTarget'),
  serviceUnavailable: fault(503, 'The Service is temporarily unavailable', 'messaging.adaptors.http.flow.ServiceUnavailable'),
  gatewayTimeout: fault(504, 'Gateway Timeout', 'messaging.adaptors.http.flow.GatewayTimeout'),
  // "408, Request Timeout" for an io.timeout.millis that runs out while the request is written
  // (Endpoint properties reference); the payload is no document's: the fault shape every Message
  // Processor error has, the reference's words, and an errorcode named like the other target timeouts.
  // "503 Service Unavailable - NoActiveTargets - HealthCheckFailures": every server of the LoadBalancer out of service.
  noActiveTargets: fault(503, 'The Service is temporarily unavailable', 'messaging.adaptors.http.flow.NoActiveTargets'),
  requestTimeout: fault(408, 'Request Timeout', 'messaging.adaptors.http.flow.RequestTimeout'),
  noContentWithBody: fault(502, 'Received 204 Response with message body', 'protocol.http.ResponseWithBody'),
  without405Allow: fault(502, 'Received 405 Response without Allow Header', 'protocol.http.Response405WithoutAllowHeader'),
  tooBigLine: fault(502, 'response line size exceeding 2,048', 'protocol.http.TooBigLine'),
  resetContentWithBody: fault(502, 'Received 205 Response with message body', 'protocol.http.ResponseWithBody'),
  tooBigHeaders: fault(502, 'response headers size exceeding 25,600', 'protocol.http.TooBigHeaders'),
  tooBigBody: fault(502, 'Body buffer overflow', 'protocol.http.TooBigBody'),
  requestTooBigBody: fault(413, 'Body buffer overflow', 'protocol.http.TooBigBody'),
  decompressionFailure: fault(502, 'Decompression failure at response', 'messaging.adaptors.http.flow.DecompressionFailureAtResponse'),
} as const;

export type EdgeFaultName = keyof typeof edgeFaults;

/** "502 Bad Gateway - DuplicateHeader": the faultstring names the header, as it came. */
export function duplicateHeaderBody(header: string): string {
  return faultBody(fault(502, `Duplicate Header "${header}"`, 'protocol.http.DuplicateHeader'));
}

export function faultBody(f: Fault): string {
  return JSON.stringify({ fault: { faultstring: f.faultstring, detail: { errorcode: f.errorcode } } });
}

const bodies = Object.fromEntries(Object.entries(edgeFaults).map(([key, value]) => [key, faultBody(value)])) as Record<EdgeFaultName, string>;

/** Which fault the Message Processor answers to each failure kind. */
export function edgeFaultFor(failure: Failure): EdgeFaultName {
  switch (failure.kind) {
    case 'handshake-timeout':
      return 'badGateway';
    case 'bad-response':
      // Node's parser stops past Edge's own limit on header lines (nodeHeadLimit).
      return failure.error.code === 'HPE_HEADER_OVERFLOW' ? 'tooBigHeaders' : 'badGateway';
    case 'bad-framing':
      // Not in the documents: the Message Processor "does not receive a response", as for the handshake.
      return 'badGateway';
    case 'not-tls':
      // The Unexpected EOF document's cause: a target that does not speak TLS behind an https URL.
      return 'unexpectedEof';
    case 'premature-close':
    case 'reset':
      // A target that hangs up while Edge is still writing the request is a broken pipe: 503.
      return failure.phase === 'sending' ? 'serviceUnavailable' : 'unexpectedEof';
    case 'io-timeout':
      // The socket not ready to write for io.timeout.millis: 408; no data to read: 504.
      return failure.phase === 'sending' ? 'requestTimeout' : 'gatewayTimeout';
    case 'response-with-body':
      return failure.responseStatus === 205 ? 'resetContentWithBody' : 'noContentWithBody';
    case 'response-405-without-allow':
      return 'without405Allow';
    case 'response-line-too-big':
      return 'tooBigLine';
    case 'duplicate-header':
      // Its faultstring names the header: built in answer().
      return 'badGateway';
    case 'no-active-targets':
      return 'noActiveTargets';
    case 'response-headers-too-big':
      return 'tooBigHeaders';
    case 'response-body-too-big':
      return 'tooBigBody';
    case 'decompression-failure':
      return 'decompressionFailure';
    case 'connect-refused':
    case 'connect-timeout':
    case 'connect-failed':
    case 'name-not-resolved':
    case 'handshake-failed':
      return 'serviceUnavailable';
  }
}

/** "502 Bad Gateway - TooBigLine": the Message Processor accepts a response line of up to 2,048 bytes. */
export const RESPONSE_LINE_LIMIT = 2048;

/**
 * Response headers the Message Processor allows once ("Configuring Message Processors to allow
 * duplicate headers"): Expires is the one the playbook "502 Bad Gateway - DuplicateHeader" shows;
 * the rest of its list is not reproduced here.
 */
export const SINGLE_HEADERS: ReadonlySet<string> = new Set(['expires']);

/** The responses the Message Processor refuses although they parse; bodyLimit: HTTPResponse.body.buffer.limit. */
/**
 * "502 Bad Gateway - ResponseWithBody", its table: a 204 or 205 with a non-zero Content-Length or
 * a Transfer-Encoding is refused; a Content-Encoding Edge supports is refused on a 204 and let
 * through on a 205.
 */
function withBody(status: number, headers: http.IncomingHttpHeaders): ResponseRefusal | undefined {
  if (status !== 204 && status !== 205) return undefined;
  if (Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined) return { kind: 'response-with-body' };
  // Named, so that the description says what there was instead of a body.
  if (status === 204 && supportedCodings(headers['content-encoding']) !== undefined) return { kind: 'response-with-body', header: 'Content-Encoding' };
  return undefined;
}

/** The Message Processor's size limits: HTTPResponse.body.buffer.limit and HTTPResponse.headers.limit. */
export interface ResponseLimits {
  body: number;
  headers: number;
}

export function edgeRefusal(status: number, headers: http.IncomingHttpHeaders, head: ResponseHead, method: string, limits: ResponseLimits): ResponseRefusal | undefined {
  const bodyRefusal = withBody(status, headers);
  if (bodyRefusal) return bodyRefusal;
  if (status === 405 && headers.allow === undefined) return { kind: 'response-405-without-allow' };
  // "HTTP/1.1 200 OK": "HTTP/", the version, the code, the reason, two spaces (counted, not built).
  if (5 + head.httpVersion.length + 1 + String(status).length + 1 + (head.statusMessage?.length ?? 0) > RESPONSE_LINE_LIMIT) return { kind: 'response-line-too-big' };
  if (headerLineBytes(head.rawHeaders) > limits.headers) return { kind: 'response-headers-too-big' };
  if (!bodiless(status, method) && declaresTooBig(headers, limits.body)) return { kind: 'response-body-too-big' };
  return duplicatedSingleHeader(head.rawHeaders);
}

/** The lengths of the single headers' names: a name of another length is not lower-cased to be looked up. */
const SINGLE_HEADER_LENGTHS: ReadonlySet<number> = new Set([...SINGLE_HEADERS].map((name) => name.length));

function duplicatedSingleHeader(rawHeaders: readonly string[]): ResponseRefusal | undefined {
  // Runs for every response: nothing is allocated until a single header is met.
  let seen: Set<string> | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] ?? '';
    if (!SINGLE_HEADER_LENGTHS.has(name.length)) continue;
    const key = name.toLowerCase();
    if (!SINGLE_HEADERS.has(key)) continue;
    if (seen?.has(key)) return { kind: 'duplicate-header', header: name };
    (seen ??= new Set()).add(key);
  }
  return undefined;
}

/** The Edge document's system.log line for a TLS handshake timeout. */
export function handshakeTimeoutLine(settings: EdgeSettings, messageId: string, failure: Failure): string {
  const c = failure.connection;
  const ms = (value: number | undefined) => `${Math.round(value ?? 0)}ms`;
  return (
    `org:${settings.org} env:${settings.env} api:${settings.api} rev:${settings.rev} messageid:${messageId} ` +
    `NIOThread@1 ERROR HTTP.CLIENT - HTTPClient$Context.handshakeTimeout() : ` +
    `SSLClientChannel[Connected: Remote:${c?.remote ?? '?'} Local:${c?.local ?? '?'}]@${c?.id ?? 0} ` +
    `useCount=${c?.useCount ?? 0} bytesRead=${c?.bytesRead ?? 0} bytesWritten=${c?.bytesWritten ?? 0} ` +
    `age=${ms(c?.ageMs)} lastIO=${ms(c?.lastIOMs)} isOpen=${c?.isOpen ?? false} handshake timeout`
  );
}

/**
 * What counts against a TargetServer's MaxFailures: the request got no response because of an I/O
 * error or a timeout. A response, even one Edge refuses, is not a failure of the server.
 */
const SERVER_FAILURES: ReadonlySet<FailureKind> = new Set<FailureKind>([
  'connect-refused',
  'connect-timeout',
  'connect-failed',
  'name-not-resolved',
  'handshake-timeout',
  'handshake-failed',
  'not-tls',
  'reset',
  'premature-close',
  'io-timeout',
]);

/**
 * The system.log line of a TargetServer reaching MaxFailures, in the shape the NoActiveTargets
 * playbook shows (its thread is the health monitor's timer; no document shows the line for a
 * failure counted on traffic).
 */
export function maxFailuresLine(settings: EdgeSettings, server: string, maxFailures: number): string {
  return (
    `Apigee-Timer-7 WARN  ADAPTORS.HTTP.FLOW - LBServer.incrementFailureCount() : Max failure count(${maxFailures}) reached for server : ` +
    `${server}{Environment=${settings.org}__${settings.env},Application=${settings.api}__${settings.rev},Target=default}`
  );
}

/** The lines a failure writes: the handshake timeout's, and a TargetServer going out of service. */
function edgeLines(settings: EdgeSettings, balancer: TargetBalancer | undefined, failure: Failure, request: ClientRequestInfo): string[] {
  const lines = failure.kind === 'handshake-timeout' ? [handshakeTimeoutLine(settings, request.tag ?? '', failure)] : [];
  const server = request.server;
  if (balancer && server !== undefined && SERVER_FAILURES.has(failure.kind) && balancer.failed(server)) lines.push(maxFailuresLine(settings, server, balancer.maxFailures));
  return lines;
}

/**
 * Message ids: a per-gateway prefix and a counter, one string per request. The gateway keeps the id
 * with the exchange (its log line, its trace); only the debug setting puts it on the response.
 */
function messageIds(settings: EdgeSettings): Personality['begin'] {
  const prefix = randomBytes(4).toString('hex');
  let sequence = 0;
  const next = () => `${prefix}-${++sequence}`;
  if (!settings['debug.message.id.header']) return next;
  return (res) => {
    const id = next();
    res.setHeader(MESSAGE_ID_HEADER, id);
    return id;
  };
}

/** The size limits, for narration, where they are not the documented 10m and 25k. */
function sizeLimits(settings: EdgeSettings): string {
  const defaults = { 'HTTPRequest.body.buffer.limit': DEFAULT_BUFFER_LIMIT, 'HTTPResponse.body.buffer.limit': DEFAULT_BUFFER_LIMIT, 'HTTPResponse.headers.limit': RESPONSE_HEADERS_LIMIT } as const;
  return (Object.keys(defaults) as (keyof typeof defaults)[]).flatMap((name) => (settings[name] === defaults[name] ? [] : [`, ${name}=${settings[name]}`])).join('');
}

/** "502 Bad Gateway - TooBigHeaders" prints 25,600, the default; another limit is printed the same way (no document shows one). */
function tooBigHeadersBody(limit: number): string {
  return faultBody(fault(502, `response headers size exceeding ${limit.toLocaleString('en-US')}`, edgeFaults.tooBigHeaders.errorcode));
}

export function createEdgePersonality(settings: EdgeSettings, target?: URL): Personality {
  const jsonHeaders = { 'Content-Type': 'application/json' };
  const balancer = target && createLoadBalancer(settings, target);
  const responseLimit = settings['HTTPResponse.body.buffer.limit'];
  const limits: ResponseLimits = { body: responseLimit, headers: settings['HTTPResponse.headers.limit'] };
  const headersTooBig = tooBigHeadersBody(limits.headers);
  const requestLimit = settings['HTTPRequest.body.buffer.limit'];
  const requestTooBig: FailureAnswer = { status: 413, headers: jsonHeaders, body: bodies.requestTooBigBody };
  const heldRequest = { limit: requestLimit, tooBig: requestTooBig };
  return {
    name: 'edge',
    policy: {
      connectTimeoutMs: settings['connect.timeout.millis'],
      // The document's 55 s: io.timeout.millis bounds the handshake as a whole, not its silences.
      handshakeTimeoutMs: settings['io.timeout.millis'],
      ioTimeoutMs: settings['io.timeout.millis'],
      idleTimeoutMs: settings['keepalive.timeout.millis'] || undefined,
      honourKeepAliveHint: settings['keepalive.honour.hint'],
      // Edge trusts any target certificate unless a TrustStore is configured.
      rejectUnauthorized: false,
      // A Java product: its limits are its own, not Node's socket timers; one clock per agent.
      quietLimits: 'shared-clock',
    },
    logFile: join(settings['logging.dir'], 'system.log'),
    configuredPort: undefined,
    server: {},
    dropsHopByHopHeaders: true,
    balancer,
    describe: () =>
      `Edge Message Processor: connect.timeout.millis=${settings['connect.timeout.millis']}, ` +
      `io.timeout.millis=${settings['io.timeout.millis']}, keepalive.timeout.millis=${settings['keepalive.timeout.millis']}` +
      sizeLimits(settings) +
      (balancer ? `; ${balancer.describe()}` : ''),
    begin: messageIds(settings),
    refusesResponse: (status, headers, head, method) => edgeRefusal(status, headers, head, method, limits),
    holdsBody: (status, headers, method) => edgeHeldBody(status, headers, method, responseLimit),
    refusesRequest: (headers) => (declaresTooBig(headers, requestLimit) ? requestTooBig : undefined),
    // A chunked request body has no Content-Length to judge it by: Edge buffers it, and counts.
    holdsRequestBody: (headers) => (headers['content-length'] === undefined && headers['transfer-encoding'] !== undefined ? heldRequest : undefined),
    maxResponseHeadBytes: nodeHeadLimit(limits.headers),
    answer(failure: Failure, request: ClientRequestInfo): FailureOutcome {
      // Already answered (the response failing after its parse error), nothing more to say.
      if (failure.afterAnswer) return { client: 'hang', lines: [] };
      // Bytes past a response that its Content-Length had already completed: the response as framed
      // goes on (no document says more; the next response on that connection is what they spoil).
      if (failure.kind === 'bad-framing' && failure.response?.complete) return { client: 'pass', lines: [] };
      // The client's response had begun: only its connection can say that the rest will not come.
      if (failure.clientHeadersSent) return { client: 'cut', lines: [] };
      const name = edgeFaultFor(failure);
      const body = failure.kind === 'duplicate-header' ? duplicateHeaderBody(failure.refusedHeader ?? '') : name === 'tooBigHeaders' ? headersTooBig : bodies[name];
      const answer: FailureAnswer = { status: edgeFaults[name].status, headers: jsonHeaders, body };
      return { client: 'answer', answer, lines: edgeLines(settings, balancer, failure, request) };
    },
  };
}
