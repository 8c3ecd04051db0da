/**
 * The classifier: the one place that turns what happened on the wire (a Node error plus a frozen
 * snapshot of the exchange and its connection) into a failure kind. Personalities switch on the
 * kind and never look at sockets; new failure modes of a backend need no change here unless the
 * wire does something new. It reads snapshots only: connection.ts owns the connection's facts.
 */
import { now } from '../trace.ts';
import type { ConnectionSnapshot, LimitName } from './connection.ts';

export const failureKinds = [
  'connect-refused', // nothing listens: the target's kernel answered the SYN with RST
  'connect-timeout', // the TCP connect did not complete within the gateway's connect limit
  'name-not-resolved', // the target's host name did not resolve (DNS)
  'connect-failed', // the target could not be reached at all (route)
  'handshake-timeout', // TCP connected, but the TLS handshake did not complete within the gateway's handshake limit
  'handshake-failed', // the TLS handshake was refused (alert, certificate, protocol)
  'not-tls', // the target answered the TLS Client Hello with bytes that are not TLS (a plain-HTTP port)
  'reset', // the target reset the connection (RST)
  'premature-close', // the target closed the connection (FIN) before any response
  'io-timeout', // the connection was silent for the whole I/O limit while a response was awaited
  'bad-response', // what came back is not HTTP: no status line, a bad status line, a header the parser rejects
  'bad-framing', // the response's length cannot be trusted: conflicting Content-Length, a bad chunk size, bytes past its end
  'response-with-body', // a 204 or 205 that carries a body, which HTTP forbids
  'response-405-without-allow', // a 405 without the Allow header HTTP requires
  'response-line-too-big', // a status line longer than the product accepts
  'duplicate-header', // a header the product allows once, sent twice
  'no-active-targets', // every server of the gateway's load balancer is out of service: no connection was tried
  'response-headers-too-big', // header lines longer in all than the product accepts
  'response-body-too-big', // a body longer than the product buffers
  'decompression-failure', // a body that does not decode as its Content-Encoding says, in a product that decodes it
] as const;

export type FailureKind = (typeof failureKinds)[number];

/** The kinds that are a personality refusing a response that parsed. */
export type RefusalKind = Extract<
  FailureKind,
  'response-with-body' | 'response-405-without-allow' | 'response-line-too-big' | 'duplicate-header' | 'response-headers-too-big' | 'response-body-too-big' | 'decompression-failure'
>;

/**
 * How far the exchange with the target had got when it failed: resolving its name, connecting,
 * the TLS handshake, writing the request, waiting for the first byte of the response, reading its
 * head, reading its body.
 */
export const failurePhases = ['resolving', 'connecting', 'handshaking', 'sending', 'awaiting-response', 'receiving-head', 'receiving-body'] as const;
export type FailurePhase = (typeof failurePhases)[number];

/** The target's response, when its head had been parsed before the failure. */
export interface ResponseFacts {
  status: number;
  /** the whole body its head announced had arrived */
  complete: boolean;
  /** body bytes had arrived that were not yet passed on to the client */
  bodyPending: boolean;
}

export interface Failure {
  kind: FailureKind;
  phase: FailurePhase;
  /** the error Node's HTTP client raised (Microgateway serialises it as the body) */
  error: NodeJS.ErrnoException;
  /** the gateway limit that expired, when one did; firedAfterMs: how long its timer really ran, when the gateway measured it */
  limit?: { name: LimitName; ms: number; firedAfterMs?: number };
  /** the connection when the failure happened (or when the limit expired) */
  connection?: ConnectionSnapshot;
  /** whether the request went out on a pooled connection that had served earlier requests */
  reusedConnection: boolean;
  /** the status of a response the personality refused */
  responseStatus?: number;
  /** the header a refused response sent twice (duplicate-header) */
  refusedHeader?: string;
  /** the target's response, when its head had been parsed */
  response?: ResponseFacts;
  /** the client's response head had already been sent (only its connection can still say something) */
  clientHeadersSent: boolean;
  /** an earlier failure of this exchange was already answered (the response failing after a parse error) */
  afterAnswer: boolean;
  /**
   * Where Node reported the error: on the request to the target (connect, write, the parser) or on
   * the target's response stream once it had begun (cut short, reset, aborted by a limit).
   * microgateway-core listens on both and logs them differently.
   */
  surfacedOn: 'request' | 'response';
  /** ms from the client's request reaching the gateway to the failure */
  elapsedMs: number;
  /** one sentence, for narration and logs */
  description: string;
}

/** One client request's trip to the target, frozen when it failed: what the classifier reads. */
export interface ExchangeSnapshot {
  /** when the client's request reached the gateway */
  readonly receivedAt: number;
  /** the connection the request was given, if it got one */
  readonly connection: ConnectionSnapshot | undefined;
  /** the whole request had been handed to the connection */
  readonly requestWritten: boolean;
  /** the target's status line and headers had been parsed */
  readonly responseStarted: boolean;
  /** the status of a response that parsed but the personality refuses */
  readonly refusedStatus: number | undefined;
  /** why the personality refused the response, when it did */
  readonly refusal?: { kind: RefusalKind; header?: string } | undefined;
}

/** What the gateway knows of the client's side and of the target's response when the failure is classified. */
export interface FailureContext {
  surfacedOn: 'request' | 'response';
  response?: ResponseFacts | undefined;
  clientHeadersSent: boolean;
  afterAnswer: boolean;
}

/** The code of the error the gateway raises itself when its load balancer has no server in service. */
export const NO_ACTIVE_TARGETS = 'E_NO_ACTIVE_TARGETS';

export function noActiveTargetsError(): NodeJS.ErrnoException {
  return Object.assign(new Error('no target server is in service'), { code: NO_ACTIVE_TARGETS });
}

const TLS_ERROR = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|EPROTO$)/;
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/** The parser's verdicts on how a response is framed, rather than on its head. */
const FRAMING = new Set(['HPE_UNEXPECTED_CONTENT_LENGTH', 'HPE_INVALID_CONTENT_LENGTH', 'HPE_INVALID_CHUNK_SIZE', 'HPE_INVALID_TRANSFER_ENCODING', 'HPE_CHUNK_EXTENSIONS_OVERFLOW']);

const silentWhile: Record<FailurePhase, string> = {
  resolving: 'its name was resolved',
  connecting: 'connecting',
  handshaking: 'the TLS handshake',
  sending: 'the request was being sent',
  'awaiting-response': 'a response was awaited',
  'receiving-head': 'the response head was arriving',
  'receiving-body': 'the response body was arriving',
};

const duringPhase: Record<FailurePhase, string> = {
  resolving: '',
  connecting: ' while connecting',
  handshaking: ' during the TLS handshake',
  sending: ' while the request was still being sent',
  'awaiting-response': ' before sending any response',
  'receiving-head': ' part-way through the response head',
  'receiving-body': ' part-way through the response body',
};

function refusalDescription(kind: RefusalKind, status: number, header: string | undefined): string {
  switch (kind) {
    case 'response-with-body':
      return header ? `the target answered ${status} with a ${header} header, which declares a body HTTP forbids there` : `the target answered ${status} with a body, which HTTP forbids`;
    case 'response-405-without-allow':
      return 'the target answered 405 without the Allow header HTTP requires';
    case 'response-line-too-big':
      return "the target's status line is longer than the gateway accepts";
    case 'duplicate-header':
      return `the target sent the ${header ?? ''} header more than once`;
    case 'response-headers-too-big':
      return "the target's response headers are larger than the gateway accepts";
    case 'response-body-too-big':
      return "the target's response body is larger than the gateway buffers";
    case 'decompression-failure':
      return "the target's response body does not decode as its Content-Encoding says";
  }
}

export function phaseOf(state: ExchangeSnapshot, code = ''): FailurePhase {
  const connection = state.connection;
  if (state.responseStarted) return 'receiving-body';
  if (UNRESOLVED.has(code)) return 'resolving';
  if (!connection?.connected) return 'connecting';
  if (connection.tls && !connection.secured) return 'handshaking';
  if (!state.requestWritten) return 'sending';
  return connection.bytesReadThisUse > 0 || code.startsWith('HPE_') ? 'receiving-head' : 'awaiting-response';
}

const REQUEST_CONTEXT: FailureContext = { surfacedOn: 'request', clientHeadersSent: false, afterAnswer: false };

export function classify(error: NodeJS.ErrnoException, state: ExchangeSnapshot, context: FailureContext = REQUEST_CONTEXT, at = now()): Failure {
  const connection = state.connection;
  const reusedConnection = (connection?.useCount ?? 0) > 1;
  const code = error.code ?? '';
  const phase = phaseOf(state, code);
  const base = {
    phase,
    error,
    surfacedOn: context.surfacedOn,
    clientHeadersSent: context.clientHeadersSent,
    afterAnswer: context.afterAnswer,
    ...(context.response ? { response: context.response } : {}),
    reusedConnection,
    elapsedMs: at - state.receivedAt,
    ...(connection ? { connection } : {}),
  };

  if (state.refusedStatus !== undefined) {
    const refusal = state.refusal ?? { kind: 'response-with-body' as const };
    const refused = { ...base, kind: refusal.kind, responseStatus: state.refusedStatus, ...(refusal.header ? { refusedHeader: refusal.header } : {}) };
    return { ...refused, description: refusalDescription(refusal.kind, state.refusedStatus, refusal.header) };
  }
  if (code === NO_ACTIVE_TARGETS) return { ...base, kind: 'no-active-targets', description: 'every target server of the load balancer is out of service (disabled, or past MaxFailures)' };
  const expired = connection?.expired;
  if (expired) {
    const { name, ms, firedAfterMs } = expired;
    const limited = { ...base, connection: expired.connection, limit: { name, ms, ...(firedAfterMs === undefined ? {} : { firedAfterMs }) } };
    if (phase === 'connecting') return { ...limited, kind: 'connect-timeout', description: `the TCP connect to the target did not complete within ${ms} ms` };
    if (phase === 'handshaking') {
      return { ...limited, kind: 'handshake-timeout', description: `the target never answered the TLS Client Hello; the handshake was abandoned after ${ms} ms` };
    }
    return { ...limited, kind: 'io-timeout', description: `the connection to the target was silent for ${ms} ms while ${silentWhile[phase]}` };
  }
  if (code === 'ECONNREFUSED') return { ...base, kind: 'connect-refused', description: 'nothing listens on the target port: the connection was refused' };
  if (UNRESOLVED.has(code)) return { ...base, kind: 'name-not-resolved', description: `the target's host name did not resolve (${code})` };
  if (UNREACHABLE.has(code) || (code === 'ETIMEDOUT' && phase === 'connecting')) {
    return { ...base, kind: 'connect-failed', description: `the target could not be reached (${code})` };
  }
  if (FRAMING.has(code) || (code.startsWith('HPE_') && context.response)) {
    return { ...base, kind: 'bad-framing', description: `the target's response cannot be framed (${error.message})` };
  }
  if (code.startsWith('HPE_')) return { ...base, kind: 'bad-response', description: `the target's answer is not HTTP (${error.message})` };
  if (phase === 'handshaking' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(error.message))) {
    return { ...base, kind: 'not-tls', description: 'the target answered the TLS Client Hello with bytes that are not TLS: a plain-HTTP port behind an https URL' };
  }
  if (TLS_ERROR.test(code) || phase === 'handshaking') {
    return { ...base, kind: 'handshake-failed', description: `the TLS handshake with the target failed (${code || error.message})` };
  }
  const sending = duringPhase[phase];
  // A reset is only noted while no FIN has come (connection.ts), so it decides on its own.
  if (connection?.resetReceived) {
    return { ...base, kind: 'reset', description: `the target reset the connection (RST)${sending}` };
  }
  if (connection?.finReceived || code === 'EPIPE' || error.message === 'socket hang up') {
    const reuse = reusedConnection ? ' on a reused keep-alive connection' : '';
    return { ...base, kind: 'premature-close', description: `the target closed the connection (FIN)${sending}${reuse}` };
  }
  return { ...base, kind: 'reset', description: `the connection to the target failed (${code || error.message})${sending}` };
}
