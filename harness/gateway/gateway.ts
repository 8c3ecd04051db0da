/**
 * createGateway(): a reverse proxy on http-proxy that fronts one target and answers its failures
 * the way the chosen product does. This module assembles the parts and owns the gateway's life
 * (listen, close); it touches no socket and arms no timer:
 *  - target-agent.ts and connection.ts: the connections to the target, their facts and limits;
 *  - proxy.ts: what the gateway does when a request gets its connection, a response begins, or
 *    something fails;
 *  - answer-failure.ts: the one handler every failure reaches (classifier, personality, log, answer);
 *  - exchange.ts: what the gateway keeps about each client request.
 * Data flows one way: the wire's facts to the classifier, the failure to the personality, its
 * answer to the client. Healthy requests never build a log line.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { authority, listen } from '../listen.ts';
import { FaultgateError } from '../errors.ts';
import { now, type TraceSink } from '../trace.ts';
import { failureAnswerer } from './answer-failure.ts';
import { beginExchange, GatewayRequest, type Exchange } from './exchange.ts';
import type { AnswerFailure } from './answer-failure.ts';
import { asksToClose, dropUnusableTrailer, withoutHopByHop } from './hop-by-hop.ts';
import { noActiveTargetsError, type Failure } from './failures.ts';
import { personalityNamed } from './personalities.ts';
import type { FailureAnswer, FailureOutcome, Personality, PersonalityName } from './personality.ts';
import { ProductLog } from './product-log.ts';
import { createProxy, proxyTarget, type ProxyTarget } from './proxy.ts';
import { createTargetAgent } from './target-agent.ts';

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

function createPersonality(options: GatewayOptions, target: URL) {
  const definition = personalityNamed(options.personality);
  const settings = definition.parseSettings(options.settings ?? {}, `${options.personality} settings`);
  const personality = (definition.create as (s: typeof settings, t: URL) => Personality)(settings, target);
  return { definition, settings, personality };
}

/** The product's own answer to a request no target sees; Node's server reads and drops the body it did not read. */
/** Reads the client's request body whole, up to `limit` bytes: then `whole`, or `tooBig` at the first byte past it. */
function holdRequestBody(req: http.IncomingMessage, limit: number, whole: (body: Buffer) => void, tooBig: () => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const collect = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= limit) return void chunks.push(chunk);
    req.off('data', collect);
    req.off('end', done);
    tooBig();
  };
  const done = () => whole(Buffer.concat(chunks, bytes));
  req.on('data', collect);
  req.once('end', done);
}

function refuseRequest(res: http.ServerResponse, answer: FailureAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** The server clients talk to: every request starts an exchange and goes to the proxy, unless the personality refuses it. */
function createClientServer(
  personality: Personality,
  proxy: { web(req: http.IncomingMessage, res: http.ServerResponse, options?: { target?: ProxyTarget; buffer?: Readable }): void },
  answerFailure: AnswerFailure,
  trace: TraceSink | undefined,
): http.Server {
  const record = (kind: 'request-received' | 'answered', detail: string, messageId?: string) =>
    trace?.({ at: now(), source: 'gateway', kind, detail, ...(messageId === undefined ? {} : { messageId }) });
  // A load balancer's servers, each parsed once.
  const targets = new Map<string, ProxyTarget>();
  const targetOf = (url: string): ProxyTarget => {
    let target = targets.get(url);
    if (!target) targets.set(url, (target = proxyTarget(new URL(url))));
    return target;
  };
  /** To the target (the balancer's next server, when there is one): a body held whole goes on as the one buffer, otherwise the request streams on. */
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, exchange: Exchange, body?: Buffer): void => {
    const balancer = personality.balancer;
    const server = balancer?.pick();
    if (balancer && !server) return answerFailure(noActiveTargetsError(), req, res, exchange);
    exchange.server = server?.name;
    try {
      // No third argument unless there are options for this request: given one, even undefined,
      // http-proxy copies its own options into a new object for the request.
      if (server || body) proxy.web(req, res, { ...(server ? { target: targetOf(server.url) } : {}), ...(body ? { buffer: Readable.from([body]) } : {}) });
      else proxy.web(req, res);
    } catch (error) {
      // A request Node's HTTP client refuses to build must not end the process: it is answered.
      answerFailure(error as NodeJS.ErrnoException, req, res, exchange);
    }
  };
  const server = http.createServer({ IncomingMessage: GatewayRequest }, (req, res) => {
    const exchange = beginExchange(req, personality.begin(res));
    // Node's server has already answered Expect: 100-continue; passed on, it would make http-proxy
    // skip its proxyReq event, and with it the I/O limit and what the classifier needs.
    if (req.headers.expect !== undefined) delete req.headers.expect;
    dropUnusableTrailer(req.headers);
    if (personality.dropsHopByHopHeaders) {
      exchange.clientAsksToClose = asksToClose(req.headers.connection);
      req.headers = withoutHopByHop(req.headers);
    }
    if (trace) {
      record('request-received', `${req.method} ${req.url}`, exchange.tag);
      res.once('finish', () => record('answered', String(res.statusCode)));
    }
    const refused = personality.refusesRequest?.(req.headers);
    if (refused) return refuseRequest(res, refused);
    const held = personality.holdsRequestBody?.(req.headers);
    // Closures only for a body that is held: every other request goes on at once, making none.
    if (held) return holdRequestBody(req, held.limit, (body) => forward(req, res, exchange, body), () => refuseRequest(res, held.tooBig));
    forward(req, res, exchange);
  });
  if (personality.server.keepAliveTimeout !== undefined) server.keepAliveTimeout = personality.server.keepAliveTimeout;
  if (personality.server.headersTimeout !== undefined) server.headersTimeout = personality.server.headersTimeout;
  return server;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const target = parseTarget(options.target);
  const { definition, settings, personality } = createPersonality(options, target);
  const { trace, logger } = options;
  const productLog = new ProductLog(personality.logFile, definition.logDirSetting);
  const emitter = new EventEmitter<GatewayEvents>();
  const agent = createTargetAgent(target.protocol === 'https:' ? 'https' : 'http', personality.policy, trace);
  const answerFailure = failureAnswerer({
    personality,
    productLog,
    onLine: (line) => emitter.emit('log', line),
    onFailure: (failure, answer, tag, outcome) => emitter.emit('failure', failure, answer, tag, outcome),
    trace,
    logger,
  });
  let closing = false;
  const proxy = createProxy({ target, agent, personality, answerFailure, trace, closing: () => closing });
  const server = createClientServer(personality, proxy, answerFailure, trace);

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, `gateway (${personality.name})`, { port: options.port ?? personality.configuredPort ?? 0, host }).catch(async (error: unknown) => {
    agent.destroy();
    await productLog.close();
    throw error;
  });
  const url = `http://${authority(host, port)}`;
  logger?.info({ url, target: redactedTarget(target), personality: personality.name, logFile: productLog.file }, 'gateway listening');

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      proxy.close();
      await productLog.close();
    })());
  return Object.assign(emitter, { url, port, target, personality, settings, logFile: productLog.file, close });
}
