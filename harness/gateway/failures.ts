/**
 * The classifier: the one place that turns what happened on the wire (a Node error plus what the
 * gateway saw the connection do) into a failure kind. Personalities switch on the kind and never
 * look at sockets; new failure modes of a backend need no change here unless the wire does
 * something new.
 */
import { now } from '../trace.ts';
import { snapshot, type ConnectionSnapshot, type TargetConnection } from './target-agent.ts';

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
] as const;

export type FailureKind = (typeof failureKinds)[number];

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
  limit?: { name: 'connect' | 'handshake' | 'io'; ms: number; firedAfterMs?: number };
  /** the connection when the failure happened (or when the limit expired) */
  connection?: ConnectionSnapshot;
  /** whether the request went out on a pooled connection that had served earlier requests */
  reusedConnection: boolean;
  /** the status of a response the personality refused */
  responseStatus?: number;
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

/** What the gateway tracked about one client request's trip to the target. */
export interface ExchangeState {
  receivedAt: number;
  connection?: TargetConnection;
  reused: boolean;
  requestWritten: boolean;
  responseStarted: boolean;
  /** set when the I/O limit (socket inactivity) expired, with the connection as it was then */
  ioTimeout?: { ms: number; connection: ConnectionSnapshot };
  /** set when a response parsed but the personality refuses it */
  refusedResponse?: { status: number };
  /** bytes the connection had read before this request: more than that means a response began */
  bytesReadBefore?: number | undefined;
}

/** What the gateway knows of the client's side and of the target's response when the failure is classified. */
export interface FailureContext {
  surfacedOn: 'request' | 'response';
  response?: ResponseFacts | undefined;
  clientHeadersSent: boolean;
  afterAnswer: boolean;
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

export function phaseOf(state: ExchangeState, code = ''): FailurePhase {
  const connection = state.connection;
  if (state.responseStarted) return 'receiving-body';
  if (UNRESOLVED.has(code)) return 'resolving';
  if (!connection || connection.connectedAt === undefined) return 'connecting';
  if (connection.tls && connection.securedAt === undefined) return 'handshaking';
  if (!state.requestWritten) return 'sending';
  const readBefore = state.bytesReadBefore ?? 0;
  return connection.socket.bytesRead > readBefore || code.startsWith('HPE_') ? 'receiving-head' : 'awaiting-response';
}

export function classify(error: NodeJS.ErrnoException, state: ExchangeState, context: FailureContext = { surfacedOn: 'request', clientHeadersSent: false, afterAnswer: false }): Failure {
  const at = now();
  const connection = state.connection;
  const code = error.code ?? '';
  const phase = phaseOf(state, code);
  const base = {
    phase,
    error,
    surfacedOn: context.surfacedOn,
    clientHeadersSent: context.clientHeadersSent,
    afterAnswer: context.afterAnswer,
    ...(context.response ? { response: context.response } : {}),
    reusedConnection: state.reused,
    elapsedMs: at - state.receivedAt,
    ...(connection ? { connection: snapshot(connection, at) } : {}),
  };

  if (state.refusedResponse) {
    return { ...base, kind: 'response-with-body', responseStatus: state.refusedResponse.status, description: `the target answered ${state.refusedResponse.status} with a body, which HTTP forbids` };
  }
  const expired = connection?.limitExpired;
  const limited = expired
    ? { ...base, connection: expired.connection, limit: { name: expired.limit, ms: expired.ms, firedAfterMs: expired.firedAfterMs } }
    : state.ioTimeout
      ? { ...base, connection: state.ioTimeout.connection, limit: { name: 'io' as const, ms: state.ioTimeout.ms } }
      : undefined;
  if (limited) {
    const { ms } = limited.limit;
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
  // A reset is only noted while no FIN has come (target-agent.ts), so it decides on its own.
  if (connection?.resetAt !== undefined) {
    return { ...base, kind: 'reset', description: `the target reset the connection (RST)${sending}` };
  }
  if (connection?.finAt !== undefined || code === 'EPIPE' || error.message === 'socket hang up') {
    const reuse = state.reused ? ' on a reused keep-alive connection' : '';
    return { ...base, kind: 'premature-close', description: `the target closed the connection (FIN)${sending}${reuse}` };
  }
  return { ...base, kind: 'reset', description: `the connection to the target failed (${code || error.message})${sending}` };
}
