/**
 * What `faultgate keepalive check` prints: the table of connections with their verdicts, the
 * exposures, the fixes and the values that were defaulted; or the same as JSON.
 */
import type { Chain } from './chain.ts';
import { alignTable, connectionName, hintText, shownMs, verdictText, type Colours } from './report.ts';
import { defaultedValues, exposure, isSafe, retriedText, type Connection } from './rule.ts';

export function checkText(chain: Chain, connections: readonly Connection[], colours: Colours): string {
  const unsafe = connections.filter((connection) => !isSafe(connection.verdict)).length;
  const lines = [
    `${chain.file}: ${unsafe === 0 ? colours.green(`every connection is safe (${connections.length})`) : colours.red(`${unsafe} of ${connections.length} connections race`)}`,
    '',
    ...alignTable([
      ['#', 'connection', 'downstream idle', 'upstream keep-alive', 'Keep-Alive hint', 'verdict', 'margin', 'retried'],
      ...connections.map((connection) => [
        String(connection.number),
        connectionName(connection),
        shownMs(connection.downstreamIdleMs),
        shownMs(connection.upstreamKeepAliveMs),
        hintText(connection),
        verdictText(connection.verdict, colours),
        shownMs(connection.marginMs),
        retriedText(connection.retries),
      ]),
    ]),
  ];
  const exposed = connections.filter((connection) => exposure(connection));
  if (exposed.length) {
    lines.push('', ...exposed.map((connection) => `  ${connection.number}: ${exposure(connection)} (${connection.downstream.name}: ${connection.retries.why})`));
  }
  const fixes = connections.filter((connection) => connection.fix);
  const directions = { 'lower-downstream': 'lower', 'raise-upstream': 'raise' } as const;
  if (fixes.length) lines.push('', ...fixes.flatMap((connection) => connection.fixes.map((step) => `  fix ${connection.number} (${directions[step.direction]}): ${step.text}`)));
  const defaulted = defaultedValues(connections);
  if (defaulted.length) {
    lines.push('', '  defaulted:', ...defaulted.map((value) => `    ${value.hop} ${value.field} = ${typeof value.value === 'number' && !Number.isFinite(value.value) ? 'no limit' : value.value}: ${value.from}`));
  }
  return `${lines.join('\n')}\n`;
}

export function checkJson(chain: Chain, connections: readonly Connection[]) {
  return {
    chain: chain.file,
    safe: connections.every((connection) => isSafe(connection.verdict)),
    connections: connections.map((connection) => ({
      number: connection.number,
      downstream: connection.downstream.name,
      upstream: connection.upstream.name,
      downstreamIdleMs: connection.downstreamIdleMs,
      upstreamKeepAliveMs: connection.upstreamKeepAliveMs,
      hint: { ...connection.hint, seconds: connection.hint.seconds ?? null, retiresAtMs: connection.hint.retiresAtMs ?? null },
      effectiveIdleMs: connection.effectiveIdleMs,
      verdict: connection.verdict,
      safe: isSafe(connection.verdict),
      marginMs: connection.marginMs,
      retries: connection.retries,
      exposure: exposure(connection) ?? null,
      fixes: connection.fixes,
      fix: connection.fix ?? null,
    })),
    defaulted: defaultedValues(connections),
  };
}
