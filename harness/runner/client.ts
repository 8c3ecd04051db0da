/**
 * The client of a scenario: sends its requests to the gateway over one keep-alive connection, in
 * order, and pauses between them as the scenario says. A pause can end the moment the target
 * closes its pooled connection, which is how the keep-alive race is hit every time rather than by
 * luck. Every request has a deadline, so a gateway that never answers cannot hang a run.
 */
import http from 'node:http';
import { now, type TraceSink } from '../trace.ts';
import type { ClientStep } from './scenario.ts';

export interface RequestOutcome {
  step: number;
  method: string;
  path: string;
  /** on the run's clock (ms since it started) */
  sentAt: number;
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body?: string;
  /** set when the request got no response */
  error?: { code: string; message: string };
  /** ms from sending to the end of the response (or the error) */
  elapsedMs: number;
}

export interface ClientContext {
  gatewayUrl: string;
  /** resolves when the target next closes a connection (its FIN), or never */
  targetCloses: () => Promise<void>;
  trace: TraceSink;
  /** the clock's zero for sentAt */
  startedAt: number;
  /** a request unanswered after this long is abandoned */
  requestTimeoutMs: number;
  /** pauses last their time exactly, whatever the target does: the race keeps its natural odds */
  naturalRace?: boolean;
  /** how much longer than its time a pause may wait for the target to close (the relay's FIN hold) */
  targetCloseGraceMs?: number;
  signal?: AbortSignal;
}

type RequestStep = Extract<ClientStep, { request: unknown }>;

/**
 * The client reads a response head of up to 100 KiB, as curl does (CURL_MAX_HTTP_HEADER), not
 * Node's 16 KiB: a target's large header block that Edge accepts must reach the client too.
 */
const CLIENT_HEAD_LIMIT = 100 * 1024;

/** A client step with its durations resolved for the mode of the run. */
export type ResolvedStep = RequestStep | { idle: { ms: number; untilTargetCloses: boolean } };

export async function driveClient(steps: readonly ResolvedStep[], context: ClientContext): Promise<RequestOutcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const outcomes: RequestOutcome[] = [];
  try {
    for (const [index, step] of steps.entries()) {
      context.signal?.throwIfAborted();
      if ('request' in step) outcomes.push(await send(index + 1, step.request, agent, context));
      else if (step.idle.untilTargetCloses && !context.naturalRace) await pause(step.idle.ms + (context.targetCloseGraceMs ?? 0), true, context);
      else await pause(step.idle.ms, false, context);
    }
  } finally {
    agent.destroy();
  }
  return outcomes;
}

/**
 * Waits `ms`, or, when asked, until the target closes the pooled connection, with `ms` as the
 * latest: the request then goes out while the target's FIN is in flight, whatever the timers of
 * a busy machine do.
 */
function pause(ms: number, untilTargetCloses: boolean, context: ClientContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      context.signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(context.signal?.reason as Error);
    };
    const timer = setTimeout(done, ms);
    context.signal?.addEventListener('abort', aborted, { once: true });
    if (untilTargetCloses) void context.targetCloses().then(done);
  });
}

function send(
  step: number,
  request: RequestStep['request'],
  agent: http.Agent,
  context: ClientContext,
): Promise<RequestOutcome> {
  const body = request.body !== undefined ? Buffer.from(request.body) : request.bodyBytes !== undefined ? Buffer.alloc(request.bodyBytes, 'x') : undefined;
  const headers: http.OutgoingHttpHeaders = { ...request.headers, ...(body ? { 'content-length': body.length } : {}) };
  const sent = now();
  const base = { step, method: request.method, path: request.path, sentAt: sent - context.startedAt };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RequestOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      context.signal?.removeEventListener('abort', abort);
      resolve(outcome);
    };
    const req = http.request(`${context.gatewayUrl}${request.path}`, { method: request.method, headers, agent, maxHeaderSize: CLIENT_HEAD_LIMIT }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        context.trace({ at: now(), source: 'client', kind: 'response-received', detail: `${res.statusCode}` });
        settle({ ...base, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: now() - sent });
      });
      res.on('error', (error: NodeJS.ErrnoException) => fail(error));
    });
    const fail = (error: NodeJS.ErrnoException) => {
      context.trace({ at: now(), source: 'client', kind: 'client-error', detail: error.message });
      settle({ ...base, error: { code: error.code ?? 'ERROR', message: error.message }, elapsedMs: now() - sent });
    };
    const deadline = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer from the gateway within ${context.requestTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, context.requestTimeoutMs);
    const abort = () => req.destroy(Object.assign(new Error('run interrupted'), { code: 'ABORTED' }));
    context.signal?.addEventListener('abort', abort, { once: true });
    req.on('error', fail);
    context.trace({ at: sent, source: 'client', kind: 'request-sent', detail: `${request.method} ${request.path}${body ? ` (${body.length}-byte body)` : ''}` });
    req.end(body);
  });
}
