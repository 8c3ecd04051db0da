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
  'connect-failed', // the target could not be reached at all (name lookup, route)
  'handshake-timeout', // TCP connected, but the TLS handshake did not complete within the gateway's handshake limit
  'handshake-failed', // the TLS handshake was refused (alert, certificate, protocol)
  'not-tls', // the target answered the TLS Client Hello with bytes that are not TLS (a plain-HTTP port)
  'reset', // the target reset the connection (RST)
  'premature-close', // the target closed the connection (FIN) before any response
  'io-timeout', // the connection was silent for the whole I/O limit while a response was awaited
  'bad-response', // what came back is not HTTP
  'response-with-body', // a 204 or 205 that carries a body, which HTTP forbids
] as const;

export type FailureKind = (typeof failureKinds)[number];

/** How far the exchange with the target had got when it failed. */
export type FailurePhase = 'connecting' | 'handshaking' | 'sending' | 'awaiting-response' | 'receiving';

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
}

const TLS_ERROR = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|EPROTO$)/;
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

export function phaseOf(state: ExchangeState): FailurePhase {
  const connection = state.connection;
  if (state.responseStarted) return 'receiving';
  if (!connection || connection.connectedAt === undefined) return 'connecting';
  if (connection.tls && connection.securedAt === undefined) return 'handshaking';
  return state.requestWritten ? 'awaiting-response' : 'sending';
}

export function classify(error: NodeJS.ErrnoException, state: ExchangeState): Failure {
  const at = now();
  const connection = state.connection;
  const phase = phaseOf(state);
  const base = {
    phase,
    error,
    reusedConnection: state.reused,
    elapsedMs: at - state.receivedAt,
    ...(connection ? { connection: snapshot(connection, at) } : {}),
  };
  const code = error.code ?? '';

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
    return { ...limited, kind: 'io-timeout', description: `the connection to the target was silent for ${ms} ms while ${phase === 'sending' ? 'the request was being sent' : 'a response was awaited'}` };
  }
  if (code === 'ECONNREFUSED') return { ...base, kind: 'connect-refused', description: 'nothing listens on the target port: the connection was refused' };
  if (UNREACHABLE.has(code) || (code === 'ETIMEDOUT' && phase === 'connecting')) {
    return { ...base, kind: 'connect-failed', description: `the target could not be reached (${code})` };
  }
  if (code.startsWith('HPE_')) return { ...base, kind: 'bad-response', description: `the target's answer is not HTTP (${error.message})` };
  if (phase === 'handshaking' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(error.message))) {
    return { ...base, kind: 'not-tls', description: 'the target answered the TLS Client Hello with bytes that are not TLS: a plain-HTTP port behind an https URL' };
  }
  if (TLS_ERROR.test(code) || phase === 'handshaking') {
    return { ...base, kind: 'handshake-failed', description: `the TLS handshake with the target failed (${code || error.message})` };
  }
  const sending = phase === 'sending' ? ' while the request was still being sent' : ' before sending any response';
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
