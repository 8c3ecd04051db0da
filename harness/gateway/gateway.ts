/**
 * createGateway(): a reverse proxy on http-proxy that fronts one target and answers its failures
 * the way the chosen product does.
 *
 * Data flows one way: every upstream failure reaches ONE handler, which asks the classifier what
 * happened on the wire (failures.ts), asks the personality for the product's answer and log lines,
 * writes the lines and answers the client. Healthy requests never build a log line.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import httpProxy from 'http-proxy';
import type { Logger } from 'pino';
import { authority, listen } from '../listen.ts';
import { FaultgateError } from '../errors.ts';
import { now, type TraceKind, type TraceSink } from '../trace.ts';
import { classify, type ExchangeState, type Failure } from './failures.ts';
import { personalityNamed } from './personalities.ts';
import type { ClientRequestInfo, FailureAnswer, FailureOutcome, Personality, PersonalityName } from './personality.ts';
import { asksToClose, dropHopByHop, dropUnusableTrailer } from './hop-by-hop.ts';
import { ProductLog } from './product-log.ts';
import { createTargetAgent, snapshot, type TargetAgent, type TargetConnection } from './target-agent.ts';

export interface GatewayOptions {
  personality: PersonalityName;
  /** the one target: http://host:port or https://host:port */
  target: string;
  /** the personality's settings: Edge's property names, or the edgemicro YAML shape */
  settings?: unknown;
  /** 0 for an ephemeral port; default: the product config's port (edgemicro.port), else ephemeral */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** receives socket and timer events as they happen (costs listeners; off by default) */
  trace?: TraceSink;
  /** the harness's own structured log */
  logger?: Logger;
}

function requestInfo(req: http.IncomingMessage, state: { tag: string | undefined }): ClientRequestInfo {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    host: req.headers.host ?? '',
    clientAddress: req.socket.remoteAddress ?? '',
    apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : '',
    tag: state.tag,
  };
}

export interface GatewayEvents {
  /** a product-format line was written to the log file */
  log: [line: string];
  /**
   * An upstream failure was classified and answered; answer: the product's own answer, when the
   * client got one; tag: the request's tag (Edge's message id); outcome: all the product did
   * (what the client got, the lines, its process exiting).
   */
  failure: [failure: Failure, answer: FailureAnswer | undefined, tag: string | undefined, outcome: FailureOutcome];
}

export interface Gateway extends EventEmitter<GatewayEvents> {
  readonly url: string;
  readonly port: number;
  readonly target: URL;
  readonly personality: Personality;
  /** the settings after defaults were applied */
  readonly settings: unknown;
  /** the product-format log file */
  readonly logFile: string;
  close(): Promise<void>;
}

export function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new FaultgateError('E_CONFIG', `target "${target}": not a URL; expected http://host:port or https://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FaultgateError('E_CONFIG', `target "${redactedTarget(target)}": expected an http:// or https:// URL`);
  }
  if (url.port === '0') {
    throw new FaultgateError('E_CONFIG', `target "${redactedTarget(target)}": port 0 cannot be connected to; give the port the target listens on`);
  }
  return url;
}

/** The target as it may be printed: a user name and password in it become ***. */
export function redactedTarget(target: string | URL): string {
  const url = new URL(target);
  if (!url.username && !url.password) return String(target);
  url.username = '***';
  url.password = '';
  return url.href;
}

/** What the gateway keeps about one client request. */
type Exchange = ExchangeState & {
  tag: string | undefined;
  proxyReq?: http.ClientRequest;
  /** the target's response headers, which http-proxy copies onto the client's response */
  targetHeaders?: http.IncomingHttpHeaders;
  /** the target's response, once its head has been parsed */
  proxyRes?: http.IncomingMessage;
  /** a failure of this exchange has been answered already */
  answered: boolean;
  /** the client's Connection header asked to close (kept here: Edge drops the header itself) */
  clientAsksToClose: boolean;
};

/**
 * The client's request, carrying its exchange. A field rather than a WeakMap entry: a WeakMap keeps
 * every finished request alive until an old-generation collection, which cost the healthy path a
 * quarter of its throughput (bench/, throughput).
 */
class GatewayRequest extends http.IncomingMessage {
  exchange: Exchange | undefined = undefined;
}

const exchangeOf = (req: http.IncomingMessage): Exchange | undefined => (req as GatewayRequest).exchange;

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const target = parseTarget(options.target);
  const definition = personalityNamed(options.personality);
  const settings = definition.parseSettings(options.settings ?? {}, `${options.personality} settings`);
  const personality = (definition.create as (s: typeof settings, t: URL) => Personality)(settings, target);
  const { policy } = personality;
  const trace = options.trace;
  const logger = options.logger;
  const productLog = new ProductLog(personality.logFile, definition.logDirSetting);

  /** The I/O limit expired on a connection in use: note it for the classifier and end the request. */
  const onIoTimeout = (connection: TargetConnection) => {
    const { request, exchange: state } = connection;
    if (!request || !state || policy.ioTimeoutMs === undefined) return;
    state.ioTimeout = { ms: policy.ioTimeoutMs, connection: snapshot(connection) };
    record('timer-fired', `io limit ${policy.ioTimeoutMs} ms`);
    request.destroy();
  };
  const agent: TargetAgent = createTargetAgent(target.protocol === 'https:' ? 'https' : 'http', policy, trace, onIoTimeout);
  const proxy = httpProxy.createProxyServer({ target: target.href, agent, changeOrigin: true, secure: policy.rejectUnauthorized });
  const emitter = new EventEmitter<GatewayEvents>();
  const record = (kind: TraceKind, detail?: string) => trace?.({ at: now(), source: 'gateway', kind, ...(detail ? { detail } : {}) });
  let closing = false;

  const server = http.createServer({ IncomingMessage: GatewayRequest }, (req, res) => {
    // Every field from the start: one object shape for every request.
    const exchange: Exchange = (req.exchange = {
      receivedAt: now(),
      reused: false,
      requestWritten: false,
      responseStarted: false,
      tag: personality.begin(res),
      connection: undefined,
      proxyReq: undefined,
      ioTimeout: undefined,
      refusedResponse: undefined,
      targetHeaders: undefined,
      proxyRes: undefined,
      answered: false,
      bytesReadBefore: undefined,
      clientAsksToClose: false,
    });
    // Node's server has already answered Expect: 100-continue; passed on, it would make http-proxy
    // skip its proxyReq event, and with it the I/O limit and what the classifier needs.
    if (req.headers.expect !== undefined) delete req.headers.expect;
    dropUnusableTrailer(req.headers);
    if (personality.dropsHopByHopHeaders) {
      exchange.clientAsksToClose = asksToClose(req.headers.connection);
      dropHopByHop(req.headers);
    }
    if (trace) {
      record('request-received', `${req.method} ${req.url}`);
      res.once('finish', () => record('answered', String(res.statusCode)));
    }
    try {
      proxy.web(req, res);
    } catch (error) {
      // A request Node's HTTP client refuses to build must not end the process: it is answered.
      fail(error as NodeJS.ErrnoException, req, res, exchange);
    }
  });
  if (personality.server.keepAliveTimeout !== undefined) server.keepAliveTimeout = personality.server.keepAliveTimeout;
  if (personality.server.headersTimeout !== undefined) server.headersTimeout = personality.server.headersTimeout;

  proxy.on('proxyReq', (proxyReq, req) => {
    const state = exchangeOf(req);
    if (!state) return;
    state.proxyReq = proxyReq;
    const connection = proxyReq.socket ? agent.connectionOf(proxyReq.socket) : undefined;
    state.reused = proxyReq.reusedSocket;
    if (connection) {
      state.connection = connection;
      state.bytesReadBefore = connection.socket.bytesRead;
      connection.useCount++;
      if (trace && state.reused) trace({ at: now(), source: 'target-socket', kind: 'socket-reused', conn: connection.conn, detail: `use ${connection.useCount}` });
    }
    if (trace) {
      proxyReq.once('finish', () => {
        // 'finish' also fires when a request queued behind a TLS handshake is dropped with its socket.
        if (proxyReq.socket?.destroyed) return;
        trace({ at: now(), source: 'target-socket', kind: 'request-written', ...(connection ? { conn: connection.conn } : {}) });
      });
    }
    if (connection && policy.ioTimeoutMs !== undefined) {
      // Armed on the socket itself; the agent calls onIoTimeout when it expires.
      connection.request = proxyReq;
      connection.exchange = state;
      connection.socket.setTimeout(policy.ioTimeoutMs);
    }
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    const state = exchangeOf(req);
    if (!state) return;
    state.responseStarted = true;
    if (personality.dropsHopByHopHeaders) {
      dropHopByHop(proxyRes.headers);
      // What http-proxy then copies to the client: this hop's own choice, the client's close honoured.
      proxyRes.headers.connection = state.clientAsksToClose ? 'close' : 'keep-alive';
    }
    state.targetHeaders = proxyRes.headers;
    state.proxyRes = proxyRes;
    personality.adaptResponseHead?.(proxyRes.headers, now() - state.receivedAt);
    // A response that fails once begun (cut, reset, the I/O limit) reaches only its own stream:
    // http-proxy would leave the client waiting for the rest.
    proxyRes.once('error', (error: NodeJS.ErrnoException) => fail(error, req, res, state, 'response'));
    if (trace) trace({ at: now(), source: 'target-socket', kind: 'response-started', detail: String(proxyRes.statusCode), ...(state.connection ? { conn: state.connection.conn } : {}) });
    const status = proxyRes.statusCode ?? 0;
    if (personality.refusesResponse(status, proxyRes.headers)) {
      state.refusedResponse = { status };
      // Answered here, before http-proxy copies the response: it then finds the reply already sent.
      fail(new Error(`${status} response with a body`), req, res, state);
      proxyRes.destroy();
    }
  });

  proxy.on('error', (error, req, res) => {
    const state = exchangeOf(req);
    if (!state || closing) {
      res.destroy();
      return;
    }
    fail(error, req, res, state);
  });

  const fail = (
    error: NodeJS.ErrnoException,
    req: http.IncomingMessage,
    res: http.ServerResponse | net.Socket,
    state: Exchange,
    surfacedOn: 'request' | 'response' = 'request',
  ) => {
    if (!(res instanceof http.ServerResponse)) {
      res.destroy();
      return;
    }
    state.requestWritten = state.proxyReq?.writableFinished ?? false;
    const proxyRes = state.proxyRes;
    const failure = classify(error, state, {
      surfacedOn,
      clientHeadersSent: res.headersSent,
      afterAnswer: state.answered,
      response: proxyRes && { status: proxyRes.statusCode ?? 0, complete: proxyRes.complete, bodyPending: proxyRes.readableLength > 0 },
    });
    const outcome = personality.answer(failure, requestInfo(req, state));
    productLog.write(outcome.lines);
    for (const line of outcome.lines) {
      emitter.emit('log', line);
      record('log-written', line);
    }
    emitter.emit('failure', failure, outcome.answer, state.tag, outcome);
    logger?.debug({ kind: failure.kind, phase: failure.phase, status: outcome.answer?.status, client: outcome.client }, failure.description);
    if (outcome.productExit) logger?.warn({ kind: failure.kind, exitCode: outcome.productExit.code }, `the product's process would exit here: ${outcome.productExit.error}`);
    const answered = state.answered;
    state.answered = true;
    if (outcome.client === 'pass') return;
    // Nothing more of the target's response reaches the client.
    if (proxyRes) proxyRes.unpipe(res);
    if (outcome.client === 'hang') return;
    if (outcome.client === 'cut' || !outcome.answer || answered || res.headersSent || res.writableEnded) {
      res.destroy();
      return;
    }
    respond(res, outcome.answer, outcome.overTargetHeaders ? undefined : state.targetHeaders, outcome.overTargetHeaders ?? false);
  };

  const respond = (res: http.ServerResponse, answer: FailureAnswer, copied: http.IncomingHttpHeaders | undefined, overTargetHeaders: boolean) => {
    if (copied) {
      // http-proxy may have copied the target's status and headers without sending them yet; the
      // personality's own (Edge's message id) stay.
      for (const header of Object.keys(copied)) if (res.hasHeader(header)) res.removeHeader(header);
      res.statusMessage = '';
    }
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    // Status and headers set, not written. Over the target's headers, Node frames the body as the
    // engine's res.end does; otherwise the length is given: the products answer with a
    // Content-Length, and Node would not add one after a copied one was removed.
    if (!overTargetHeaders) res.setHeader('Content-Length', Buffer.byteLength(answer.body));
    res.end(answer.body);
  };

  const port = await listen(server, `gateway (${personality.name})`, {
    port: options.port ?? personality.configuredPort ?? 0,
    host: options.host ?? '127.0.0.1',
  }).catch(async (error: unknown) => {
    agent.destroy();
    await productLog.close();
    throw error;
  });
  const url = `http://${authority(options.host ?? '127.0.0.1', port)}`;
  logger?.info({ url, target: redactedTarget(target), personality: personality.name, logFile: productLog.file }, 'gateway listening');

  let closed: Promise<void> | undefined;
  return Object.assign(emitter, {
    url,
    port,
    target,
    personality,
    settings,
    logFile: productLog.file,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          agent.destroy();
        });
        proxy.close();
        await productLog.close();
      })()),
  });
}

