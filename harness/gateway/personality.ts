/**
 * A personality is what makes the gateway answer like a product: its target-connection policy,
 * its answer to each failure kind, and the log lines it writes, in the product's own format.
 * Personalities see failures (kinds, phases, frozen connection facts), never sockets.
 */
import type http from 'node:http';
import type { Failure, RefusalKind } from './failures.ts';
import type { TargetBalancer } from './load-balancer.ts';
import type { TargetPolicy } from './target-agent.ts';

export const personalityNames = ['edge', 'microgateway'] as const;
export type PersonalityName = (typeof personalityNames)[number];

/** The client's request, as the failure path needs it; built only when something failed. */
export interface ClientRequestInfo {
  method: string;
  /** path and query, as received */
  url: string;
  /** the Host header, '' when absent */
  host: string;
  /** the client's address as the socket reports it */
  clientAddress: string;
  /** the x-api-key header, '' when absent */
  apiKey: string;
  /** the tag begin() returned for this request (Edge's message id) */
  tag: string | undefined;
  /** the load balancer's server the request went to, when the personality balances */
  server: string | undefined;
  /**
   * What the personality keeps about this exchange between its answers (one failure can be
   * answered in two steps: the parse error, then the response it aborted), e.g. the engine's
   * correlation id; the same object for every answer about one request.
   */
  memo: Record<string, string>;
}

/** What of a response's head, beyond status and headers, a product may refuse it for. */
export interface ResponseHead {
  httpVersion: string;
  statusMessage?: string | undefined;
  /** names and values as they came, duplicates kept */
  rawHeaders: readonly string[];
}

/** What a product changes in the target's response head (Personality.responseHeadChanges). */
export interface ResponseHeadChanges {
  readonly drop: ReadonlySet<string>;
  added(elapsedMs: number): readonly [name: string, value: string];
}

/**
 * A response body the product holds whole before answering (Edge: one whose Content-Encoding it
 * decodes): past `limit` bytes it is refused at once; at its end `check` decides.
 */
export interface HeldRequestBody {
  limit: number;
  tooBig: FailureAnswer;
}

export interface HeldBody {
  limit: number;
  check(body: Buffer): Promise<ResponseRefusal | undefined>;
}

/** Why a product refuses a response that parsed (the classifier's failure kind, and the header concerned). */
export interface ResponseRefusal {
  kind: RefusalKind;
  header?: string;
}

export interface FailureAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What the client gets of a failed exchange:
 *  - 'answer': the product's own status, headers and body (`answer`);
 *  - 'pass': the target's response as its head framed it goes on (the bytes past it are dropped);
 *  - 'cut': the client's connection is closed where it stands (its response had begun);
 *  - 'hang': nothing more is sent and the client's connection stays open, as microgateway-core
 *    leaves it when a target response it was streaming fails.
 */
export type ClientOutcome = 'answer' | 'pass' | 'cut' | 'hang';

/** The product's process ending because of this exchange (microgateway-core: write after end, exit 1). */
export interface ProductExit {
  code: number;
  /** the error line the process prints as it dies */
  error: string;
}

export interface FailureOutcome {
  client: ClientOutcome;
  /** for 'answer' */
  answer?: FailureAnswer;
  /**
   * The answer is written as Node's res.end writes it over what was already set: the target's
   * headers copied so far stay, and Node frames the body (no Content-Length on a HEAD). Otherwise
   * the target's headers are removed and the answer carries its own Content-Length.
   */
  overTargetHeaders?: boolean;
  /** the product log lines (already filtered by level) */
  lines: string[];
  /** the product's process would end here; the harness keeps serving and reports it as evidence */
  productExit?: ProductExit;
}

export interface Personality {
  readonly name: PersonalityName;
  readonly policy: TargetPolicy;
  /** the product-format log this gateway writes to */
  readonly logFile: string;
  /** the port the product's own config asks for, when it has one (edgemicro.port) */
  readonly configuredPort: number | undefined;
  /** client-facing server limits */
  readonly server: { keepAliveTimeout?: number; headersTimeout?: number };
  /**
   * Whether the client's hop-by-hop headers (Connection, Keep-Alive) stay behind, as a proxy's
   * should; microgateway-core copies them to the target request, so its mimic does too.
   */
  readonly dropsHopByHopHeaders: boolean;
  /** the servers each request goes to in turn (Edge's LoadBalancer); absent: every request goes to the one target */
  readonly balancer?: TargetBalancer | undefined;
  /** one sentence: what is configured, for narration */
  describe(): string;
  /** Runs for every request, so it must be cheap: returns the request's tag (Edge's message id), and may stamp the response. */
  begin(res: http.ServerResponse): string | undefined;
  /** Whether a response that parsed is one the product refuses (Edge: a 204 with a body); method: the request's. */
  refusesResponse(status: number, headers: http.IncomingHttpHeaders, head: ResponseHead, method: string): ResponseRefusal | undefined;
  /** Whether the product holds this response's body whole before answering, and how it judges it; absent: it streams. */
  holdsBody?(status: number, headers: http.IncomingHttpHeaders, method: string): HeldBody | undefined;
  /** The product's own answer to a client request it refuses before any target sees it (Edge: 413 TooBigBody). */
  refusesRequest?(headers: http.IncomingHttpHeaders): FailureAnswer | undefined;
  /**
   * Whether the product holds the client's request body whole before any target sees it (Edge: a
   * chunked body, which no Content-Length measures): the most it holds, and its answer past that;
   * absent: the body streams to the target.
   */
  holdsRequestBody?(headers: http.IncomingHttpHeaders): HeldRequestBody | undefined;
  /**
   * The most bytes of a target response's head Node's parser reads for this product (http.request's
   * maxHeaderSize), where the product accepts more than Node's 16 KiB default; absent: Node's.
   */
  readonly maxResponseHeadBytes?: number;
  /**
   * What the product changes in the target's response head as it passes it on: the fields it leaves
   * out and one it adds, given how long the request has taken (microgateway-core drops
   * Content-Length and Connection and stamps x-response-time); absent: nothing.
   */
  readonly responseHeadChanges?: ResponseHeadChanges;
  /** What the product does about a failure: the client's outcome and the log lines it writes. */
  answer(failure: Failure, request: ClientRequestInfo): FailureOutcome;
}
