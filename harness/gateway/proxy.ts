/**
 * The proxy between the client's request and the target: http-proxy with the gateway's agent,
 * and the three moments the gateway acts on — the request to the target has its connection, the
 * target's response began (the gateway passes it on itself: pass-response.ts), something failed.
 * It never touches a socket: the agent gives the request its connection (which arms the limits),
 * and failures go to the one answerer.
 */
import type http from 'node:http';
import httpProxy from 'http-proxy';
import { now, type TraceSink } from '../trace.ts';
import type { AnswerFailure } from './answer-failure.ts';
import { exchangeOf, type Exchange } from './exchange.ts';
import { holdResponse } from './held-response.ts';
import { droppedFields } from './hop-by-hop.ts';
import { clientHead, passResponse } from './pass-response.ts';
import type { Personality, ResponseRefusal } from './personality.ts';
import type { TargetAgent } from './target-agent.ts';

export interface ProxyParts {
  target: URL;
  agent: TargetAgent;
  personality: Personality;
  answerFailure: AnswerFailure;
  trace: TraceSink | undefined;
  /** true once the gateway is closing: failures then only end the client's request */
  closing(): boolean;
}

/** What http-proxy is given as a target: the URL's parts, with the path it prefixes to every request. */
export type ProxyTarget = { host: string; hostname: string; port: number; protocol: string; path: string };

/**
 * The target as http-proxy takes it, its port a number. Given a URL string, http-proxy would hand
 * Node's request the port as a string, and an error Node builds from the request's options (a TLS
 * connection closed before its handshake ended) would carry `"port":"8443"` where
 * microgateway-core, which parses the port to a number, shows `"port":8443`.
 */
export function proxyTarget(url: URL): ProxyTarget {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { protocol: url.protocol, host: url.host, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, path: `${url.pathname}${url.search}` };
}

/** The personality refuses the target's response: the client gets its answer, the response is dropped. */
function refuseResponse(
  refusal: ResponseRefusal,
  status: number,
  proxyRes: http.IncomingMessage,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  exchange: Exchange,
  answerFailure: AnswerFailure,
): void {
  exchange.refusedStatus = status;
  exchange.refusal = refusal;
  answerFailure(new Error(`${status} response refused: ${refusal.kind}`), req, res, exchange);
  proxyRes.destroy();
}

export function createProxy(parts: ProxyParts): httpProxy {
  const { agent, personality, answerFailure, trace } = parts;
  const target: ProxyTarget = proxyTarget(parts.target);
  const proxy = httpProxy.createProxyServer({
    target,
    agent,
    changeOrigin: true,
    secure: personality.policy.rejectUnauthorized,
    // The response is the gateway's to pass on (pass-response.ts), not http-proxy's to copy.
    selfHandleResponse: true,
    // http-proxy fills in each request to the target on its `ssl` object (setupOutgoing's base), so
    // this is how a product's own limit on the response head reaches http.request's maxHeaderSize.
    ...(personality.maxResponseHeadBytes === undefined ? {} : { ssl: { maxHeaderSize: personality.maxResponseHeadBytes } }),
  });

  // http-proxy emits this once the request to the target has its socket.
  proxy.on('proxyReq', (proxyReq, req) => {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    exchange.proxyReq = proxyReq;
    exchange.connection = agent.begin(proxyReq);
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    exchange.responseStarted = true;
    if (exchange.server !== undefined) personality.balancer?.succeeded(exchange.server);
    exchange.proxyRes = proxyRes;
    // A response that fails once begun (cut, reset, the I/O limit) reaches only its own stream:
    // http-proxy would leave the client waiting for the rest. A stream emits 'error' once at most:
    // `on` spares every response `once`'s wrapper objects.
    proxyRes.on('error', (error: NodeJS.ErrnoException) => answerFailure(error, req, res, exchange, 'response'));
    if (trace) trace({ at: now(), source: 'target-socket', kind: 'response-started', detail: String(proxyRes.statusCode), ...(exchange.connection ? { conn: exchange.connection.conn } : {}) });
    const status = proxyRes.statusCode ?? 0;
    const method = req.method ?? 'GET';
    // No closure for the refusal unless one is needed: this runs for every response.
    const refusal = personality.refusesResponse(status, proxyRes.headers, proxyRes, method);
    // Answered before anything of the response reaches the client.
    if (refusal) return refuseResponse(refusal, status, proxyRes, req, res, exchange, answerFailure);
    const changes = personality.responseHeadChanges;
    // This hop's own Connection where the personality drops the target's: the client's close honoured.
    const head = personality.dropsHopByHopHeaders
      ? clientHead(proxyRes, req, droppedFields(proxyRes.headers), exchange.clientAsksToClose ? 'close' : 'keep-alive')
      : clientHead(proxyRes, req, changes?.drop, undefined, changes?.added(now() - exchange.receivedAt));
    exchange.clientHead = head;
    const held = personality.holdsBody?.(status, proxyRes.headers, method);
    if (held) return holdResponse(proxyRes, res, held, head, (late) => refuseResponse(late, status, proxyRes, req, res, exchange, answerFailure));
    passResponse(proxyRes, res, head, exchange);
  });

  proxy.on('error', (error, req, res) => {
    const exchange = exchangeOf(req);
    if (!exchange || parts.closing()) {
      res.destroy();
      return;
    }
    answerFailure(error, req, res, exchange);
  });
  return proxy;
}
