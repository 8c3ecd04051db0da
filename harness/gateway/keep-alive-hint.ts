/**
 * Node's rule for a `Keep-Alive: timeout=N` hint, the one copy of it: an agent that honours the
 * hint retires the pooled connection at N s − 1 s, and does not reuse it at all when N ≤ 1.
 * (Node's own agent honours it only when the agent has a `timeout` of its own.) The gateway's
 * target agent applies it (connection.ts); the keep-alive check judges chains by it
 * (harness/keepalive/rule.ts).
 */

/** N from a Keep-Alive header value ("timeout=5, max=100"); undefined when it has none. */
export function keepAliveHintSeconds(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = /^timeout=(\d+)/.exec(value)?.[1];
  return seconds === undefined ? undefined : Number(seconds);
}

/** What Node's agent leaves under a hint; undici subtracts its keepAliveTimeoutThreshold instead. */
export const NODE_HINT_MARGIN_MS = 1000;

/** When a hint of N s retires the connection, in ms (N s less the client's margin); 0: never reused. */
export function hintRetirement(seconds: number, marginMs = NODE_HINT_MARGIN_MS): number {
  return Math.max(0, seconds * 1000 - marginMs);
}
