/**
 * What the gateway keeps about one client request on its way to the target: HTTP-level facts
 * only (when it came in, whether the target's response began, whether the personality refused
 * it). The connection's facts are the connection's own (connection.ts); at a failure both are
 * frozen into one ExchangeSnapshot for the classifier.
 */
import http from 'node:http';
import { now } from '../trace.ts';
import type { TargetConnection } from './connection.ts';
import type { ExchangeSnapshot } from './failures.ts';
import type { ClientHead } from './pass-response.ts';
import type { ClientRequestInfo, ResponseRefusal } from './personality.ts';

export interface Exchange {
  readonly receivedAt: number;
  /** what the personality's begin() returned (Edge's message id) */
  readonly tag: string | undefined;
  /** the load balancer's server the request went to, when there is a balancer */
  server: string | undefined;
  /** the request to the target, once http-proxy made it, and the connection it was given */
  proxyReq: http.ClientRequest | undefined;
  connection: TargetConnection | undefined;
  responseStarted: boolean;
  /** the status of a response the personality refuses, and why */
  refusedStatus: number | undefined;
  refusal: ResponseRefusal | undefined;
  /** the head the client's response has when the target's is passed on (pass-response.ts) */
  clientHead: ClientHead | undefined;
  /** the target's response is being passed on to the client (false once a failure's answer replaced it) */
  passing: boolean;
  /** the target's response, once its head has been parsed */
  proxyRes: http.IncomingMessage | undefined;
  /** a failure of this exchange has been answered already */
  answered: boolean;
  /** the personality's own notes about this exchange, made at its first failure (ClientRequestInfo.memo) */
  memo: Record<string, string> | undefined;
  /** the client's Connection header asked to close (kept here: Edge drops the header itself) */
  clientAsksToClose: boolean;
}

/**
 * The client's request, carrying its exchange. A field rather than a WeakMap entry: a WeakMap keeps
 * every finished request alive until an old-generation collection, which cost the healthy path a
 * quarter of its throughput (bench/, throughput).
 */
export class GatewayRequest extends http.IncomingMessage {
  exchange: Exchange | undefined = undefined;
}

export const exchangeOf = (req: http.IncomingMessage): Exchange | undefined => (req as GatewayRequest).exchange;

export function beginExchange(req: GatewayRequest, tag: string | undefined): Exchange {
  // Every field from the start: one object shape for every request.
  const exchange: Exchange = {
    receivedAt: now(),
    tag,
    server: undefined,
    proxyReq: undefined,
    connection: undefined,
    responseStarted: false,
    refusedStatus: undefined,
    refusal: undefined,
    clientHead: undefined,
    passing: false,
    proxyRes: undefined,
    answered: false,
    memo: undefined,
    clientAsksToClose: false,
  };
  req.exchange = exchange;
  return exchange;
}

/** The exchange and its connection, frozen now. */
export function snapshotExchange(exchange: Exchange, at = now()): ExchangeSnapshot {
  return Object.freeze({
    receivedAt: exchange.receivedAt,
    connection: exchange.connection?.snapshot(at),
    requestWritten: exchange.proxyReq?.writableFinished ?? false,
    responseStarted: exchange.responseStarted,
    refusedStatus: exchange.refusedStatus,
    refusal: exchange.refusal,
  });
}

/** The client's request, as the failure path needs it. */
export function clientRequestInfo(req: http.IncomingMessage, exchange: Exchange): ClientRequestInfo {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    host: req.headers.host ?? '',
    clientAddress: req.socket.remoteAddress ?? '',
    apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : '',
    tag: exchange.tag,
    server: exchange.server,
    memo: (exchange.memo ??= {}),
  };
}
