/**
 * The one handler every upstream failure reaches: it asks the classifier what happened on the
 * wire, asks the personality what the product does about it (the client's outcome and the log
 * lines), writes the lines and acts on the client's side. Healthy requests never come here, so
 * they never build a log line.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Logger } from 'pino';
import { now, type TraceSink } from '../trace.ts';
import { clientRequestInfo, snapshotExchange, type Exchange } from './exchange.ts';
import { classify, type Failure } from './failures.ts';
import type { FailureAnswer, FailureOutcome, Personality } from './personality.ts';
import type { ProductLog } from './product-log.ts';
import { setClientHead, type ClientHead } from './pass-response.ts';

export interface FailureSinks {
  personality: Personality;
  productLog: ProductLog;
  /** each product-format line, as it is written */
  onLine(line: string): void;
  /** each failure, once acted on */
  onFailure(failure: Failure, answer: FailureAnswer | undefined, tag: string | undefined, outcome: FailureOutcome): void;
  trace: TraceSink | undefined;
  logger: Logger | undefined;
}

/** Where Node reported the error: on the request to the target, or on the target's response stream. */
export type SurfacedOn = 'request' | 'response';

export type AnswerFailure = (
  error: NodeJS.ErrnoException,
  req: http.IncomingMessage,
  res: http.ServerResponse | net.Socket,
  exchange: Exchange,
  surfacedOn?: SurfacedOn,
) => void;

export function failureAnswerer(sinks: FailureSinks): AnswerFailure {
  const { personality, productLog, trace, logger } = sinks;
  return (error, req, res, exchange, surfacedOn = 'request') => {
    if (!(res instanceof http.ServerResponse)) {
      res.destroy();
      return;
    }
    const at = now();
    const proxyRes = exchange.proxyRes;
    const failure = classify(
      error,
      snapshotExchange(exchange, at),
      {
        surfacedOn,
        clientHeadersSent: res.headersSent,
        afterAnswer: exchange.answered,
        response: proxyRes && { status: proxyRes.statusCode ?? 0, complete: proxyRes.complete, bodyPending: proxyRes.readableLength > 0 },
      },
      at,
    );
    const outcome = personality.answer(failure, clientRequestInfo(req, exchange));
    productLog.write(outcome.lines);
    for (const line of outcome.lines) {
      sinks.onLine(line);
      trace?.({ at: now(), source: 'gateway', kind: 'log-written', detail: line });
    }
    sinks.onFailure(failure, outcome.answer, exchange.tag, outcome);
    logger?.debug({ kind: failure.kind, phase: failure.phase, status: outcome.answer?.status, client: outcome.client }, failure.description);
    if (outcome.productExit) logger?.warn({ kind: failure.kind, exitCode: outcome.productExit.code }, `the product's process would exit here: ${outcome.productExit.error}`);
    actOnClient(res, exchange, outcome);
  };
}

/** What the client gets: the target's response goes on, its connection is cut or left, or the product's answer. */
function actOnClient(res: http.ServerResponse, exchange: Exchange, outcome: FailureOutcome): void {
  const answered = exchange.answered;
  exchange.answered = true;
  if (outcome.client === 'pass') return;
  // Nothing more of the target's response reaches the client.
  exchange.passing = false;
  if (outcome.client === 'hang') return;
  if (outcome.client === 'answer' && outcome.answer && outcome.overTargetHeaders && res.headersSent && !res.writableEnded) {
    // As microgateway-core's res.end does over a response already begun: the answer's body
    // becomes the end of the target's, and its status goes nowhere.
    res.end(outcome.answer.body);
    return;
  }
  if (outcome.client === 'cut' || !outcome.answer || answered || res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  if (outcome.overTargetHeaders) answerOverTargetHead(res, outcome.answer, exchange.clientHead);
  else respond(res, outcome.answer);
}

/**
 * As the engine's res.end over the target's head, set but not sent (when the response had begun):
 * the target's fields and reason phrase stay, the status is the answer's, and Node frames the body.
 */
function answerOverTargetHead(res: http.ServerResponse, answer: FailureAnswer, targetHead: ClientHead | undefined): void {
  if (targetHead) setClientHead(res, targetHead);
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}

function respond(res: http.ServerResponse, answer: FailureAnswer): void {
  // The length is given: the products answer with a Content-Length. writeHead with the fields, not
  // setHeader: a response that has set none (every answer but Edge's with its debug header) then
  // keeps no header map of its own.
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
