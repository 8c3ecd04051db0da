/**
 * What a run records, as it happens, from real socket and timer events: the raw material of the
 * narrated timeline. Each side (client, gateway, target connection, backend, relay) reports its
 * own events; nobody scripts them.
 */
export type TraceSource = 'client' | 'gateway' | 'target-socket' | 'backend' | 'relay';

export type TraceKind =
  | 'request-sent' // the client wrote a request to the gateway
  | 'response-received' // the client read a response from the gateway
  | 'client-error' // the client's own request failed (the gateway hung up on it)
  | 'request-received' // the gateway read a client's request
  | 'connect-start' // the gateway opened a new connection to the target
  | 'socket-reused' // the gateway took an idle pooled connection for this request
  | 'connected' // TCP handshake complete
  | 'tls-client-hello' // the TLS Client Hello left the gateway (bytes)
  | 'tls-established' // TLS handshake complete
  | 'request-written' // the whole request is on the wire to the target
  | 'bytes-received' // bytes came back from the target (bytes)
  | 'response-started' // the target's status line and headers were parsed
  | 'fin-received' // the target half-closed the connection
  | 'rst-received' // the target reset the connection
  | 'timer-fired' // one of the gateway's limits expired (detail names it)
  | 'idle-retired' // the gateway closed an idle pooled connection itself
  | 'socket-closed' // the connection is gone
  | 'answered' // the gateway answered the client (detail: status)
  | 'log-written' // a product-format log line was written
  | 'accepted' // a backend accepted a connection
  | 'received' // a backend received bytes (bytes)
  | 'request-read' // a backend parsed a request (detail: method and path)
  | 'responded' // a backend sent a response
  | 'fin-sent' // a backend half-closed the connection
  | 'rst-sent' // a backend reset the connection
  | 'idle-close' // a backend closed a connection that was idle too long
  | 'fin-held' // the relay is holding the target's FIN back from the gateway
  | 'fin-released'; // the relay passed the held FIN on

export interface TraceEvent {
  /** milliseconds on the process's monotonic clock (performance.now()) */
  at: number;
  source: TraceSource;
  kind: TraceKind;
  /** which connection, e.g. "target#2" or "backend#1", when the event belongs to one */
  conn?: string;
  bytes?: number;
  detail?: string;
  /** request-received: the request's message id (Edge), as Trace records it */
  messageId?: string;
}

export type TraceSink = (event: TraceEvent) => void;

/** How many events a long-running backend or relay keeps: the latest, for `events`; listeners see all. */
const KEPT_EVENTS = 10_000;

/** Appends to a record that keeps only the latest events, so a server left running does not grow. */
export function keepEvent(events: TraceEvent[], event: TraceEvent): void {
  events.push(event);
  if (events.length > 2 * KEPT_EVENTS) events.splice(0, events.length - KEPT_EVENTS);
}

/** The one clock every timing in the harness is read from: monotonic, sub-millisecond. */
export const now = (): number => performance.now();
