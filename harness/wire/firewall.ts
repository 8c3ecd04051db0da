/**
 * The target's firewall, as the Edge document describes it: it lets the TCP handshake through and
 * drops what follows. An nft table in the target's namespace drops every TCP segment towards the
 * target's port that carries payload; SYN, ACK and FIN without payload pass. nft cannot subtract
 * header lengths, so there is one rule per TCP header length: a segment whose IP total length
 * exceeds 20 + 4 × data offset carries payload.
 */
/** Runs nft inside the target's namespace. */
export type NftRunner = (args: readonly string[], input?: string) => Promise<void>;

export interface FirewallRule {
  /** one sentence: what the rule does */
  readonly description: string;
  remove(): Promise<void>;
}

const tableOf = (port: number) => `faultgate_${port}`;
const synTableOf = (port: number) => `faultgate_syn_${port}`;

export function dropPayloadRuleset(port: number): string {
  const rules = Array.from({ length: 11 }, (_, index) => index + 5).map(
    (offset) => `    tcp dport ${port} ip hdrlength 5 tcp doff ${offset} ip length > ${20 + 4 * offset} drop`,
  );
  return [`table inet ${tableOf(port)} {`, '  chain input {', '    type filter hook input priority 0; policy accept;', ...rules, '  }', '}', ''].join('\n');
}

export async function dropPayloadTo(nft: NftRunner, port: number): Promise<FirewallRule> {
  await nft(['-f', '-'], dropPayloadRuleset(port));
  let removed: Promise<void> | undefined;
  return {
    description: `nft in the target's namespace drops every TCP segment with payload towards port ${port}; the handshake (SYN, SYN/ACK, ACK) passes`,
    remove: () => (removed ??= nft(['delete', 'table', 'inet', tableOf(port)]).catch(() => undefined)),
  };
}

/** A target that never answers the gateway's SYN: every SYN towards the port is dropped, so connect() waits. */
export function dropSynRuleset(port: number): string {
  return [`table inet ${synTableOf(port)} {`, '  chain input {', '    type filter hook input priority 0; policy accept;', `    tcp dport ${port} tcp flags & (syn | ack) == syn drop`, '  }', '}', ''].join('\n');
}

export async function dropSynTo(nft: NftRunner, port: number): Promise<FirewallRule> {
  await nft(['-f', '-'], dropSynRuleset(port));
  let removed: Promise<void> | undefined;
  return {
    description: `nft in the target's namespace drops every SYN towards port ${port}: a connect is never answered`,
    remove: () => (removed ??= nft(['delete', 'table', 'inet', synTableOf(port)]).catch(() => undefined)),
  };
}
