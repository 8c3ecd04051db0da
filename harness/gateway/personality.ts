/**
 * A personality is what makes the gateway answer like a product: its target-connection policy,
 * its answer to each failure kind, and the log lines it writes, in the product's own format.
 * Personalities see failures (kinds, phases, frozen connection facts), never sockets.
 */
import type http from 'node:http';
import type { Failure } from './failures.ts';
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
}

export interface FailureAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
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
  /** one sentence: what is configured, for narration */
  describe(): string;
  /** Runs for every request, so it must be cheap: stamps the response and returns a tag. */
  begin(res: http.ServerResponse): string | undefined;
  /** Whether a response that parsed is one the product refuses (Edge: a 204 with a body). */
  refusesResponse(status: number, headers: http.IncomingHttpHeaders): boolean;
  /** The product's answer to a failure and the log lines it writes about it (already filtered by level). */
  answer(failure: Failure, request: ClientRequestInfo): { answer: FailureAnswer; lines: string[] };
}
