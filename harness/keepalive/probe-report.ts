/**
 * What `faultgate keepalive probe` prints: per connection, the failed requests at each idle gap
 * and the verdict beside the check's; the same as JSON; and the Markdown table the docs use.
 */
import { gapNames, type ConnectionResult, type GapResult, type ProbeResult, type ProbeVerdict } from './probe.ts';
import { alignTable, connectionName, shownMs, verdictText, verdictWords, type Colours } from './report.ts';

const failedCell = (gap: GapResult) => `${gap.failures}/${gap.requests}${gap.hidden ? ` (${gap.hidden} hidden)` : ''}${gap.inconclusive ? ` (${gap.inconclusive}?)` : ''}`;

/** The boundary POSTs in one cell: failed/sent at each gap they were sent at, e.g. "3/3, 0/3". */
const postCell = (posts: readonly GapResult[]) => posts.map(failedCell).join(', ');

const runsText = (connection: ConnectionResult) => `${connection.plan.runs.what} (${connection.plan.runs.real ? 'real' : 'modelled'})`;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The probe's verdict on a connection or a whole chain, coloured like the check's. */
function probeVerdictText(result: { verdict: ProbeVerdict }, colours: Colours): string {
  if (result.verdict === 'safe') return colours.green('safe');
  if (result.verdict === 'race') return colours.red('race');
  return colours.yellow('inconclusive');
}

/** The chain's verdict, and how its time ran: real, scaled, or scaled per connection. */
function probeHeader(result: ProbeResult, colours: Colours): string[] {
  const { settings } = result;
  const time = settings.scaleToMs
    ? `each connection scaled so that its upstream keeps an idle connection ${settings.scaleToMs} ms`
    : settings.timeScale === 1
      ? 'real time'
      : `time scaled by ${settings.timeScale}`;
  return [
    `${result.chain}: probe says ${probeVerdictText(result, colours)}, ${result.agrees ? 'as the check does' : colours.yellow('unlike the check')}`,
    `  ${time}; return trip ${settings.latencyMs} ms, FIN held ${settings.holdFinMs} ms, ${settings.repeat} request(s) per gap`,
  ];
}

export function probeText(result: ProbeResult, colours: Colours): string {
  const lines = [
    ...probeHeader(result, colours),
    '',
    ...alignTable([
      ['#', 'connection', 'downstream', 'check', ...gapNames, 'POST at, above', 'probe', 'agrees'],
      ...result.connections.map((connection) => [
        String(connection.plan.connection.number),
        connectionName(connection.plan.connection),
        runsText(connection),
        verdictText(connection.plan.connection.verdict, colours),
        ...connection.gaps.map(failedCell),
        postCell(connection.posts),
        probeVerdictText(connection, colours),
        connection.agrees ? 'yes' : colours.yellow('no'),
      ]),
    ]),
    '',
    ...result.connections.flatMap((connection) => (connection.exposure ? [`  ${connection.plan.connection.number}: ${connection.exposure}`] : [])),
    '',
    '  failed GETs per gap, and POSTs at the boundary (502s; client errors where the downstream is a plain client), by idle time at the upstream:',
    ...result.connections.map(
      (connection) => `    ${connection.plan.connection.number}: ${connection.gaps.map((gap) => `${gap.name} ${gap.idleMs} ms`).join(', ')}`,
    ),
  ];
  const notes = [...new Set(result.connections.flatMap((connection) => [...connection.gaps, ...connection.posts].flatMap((gap) => gap.notes)))];
  if (notes.length) lines.push('', '  seen:', ...notes.map((note) => `    ${note}`));
  const retried = result.connections.reduce((sum, connection) => sum + [...connection.gaps, ...connection.posts].reduce((s, gap) => s + gap.retried, 0), 0);
  if (retried) lines.push('', `  ${retried} attempt(s) run again: this machine, not the chain, had disturbed their timing`);
  return `${lines.join('\n')}\n`;
}

export function probeJson(result: ProbeResult) {
  return {
    chain: result.chain,
    verdict: result.verdict,
    agrees: result.agrees,
    settings: result.settings,
    elapsedMs: Math.round(result.elapsedMs),
    connections: result.connections.map((connection) => ({
      number: connection.plan.connection.number,
      downstream: connection.plan.connection.downstream.name,
      upstream: connection.plan.connection.upstream.name,
      model: connection.plan.model,
      runs: connection.plan.runs,
      retries: connection.plan.retries,
      exposure: connection.exposure ?? null,
      scale: connection.plan.scale,
      check: connection.plan.connection.verdict,
      probe: connection.verdict,
      agrees: connection.agrees,
      real: { upstream: connection.plan.upstream, downstream: connection.plan.downstream },
      gaps: connection.gaps,
      posts: connection.posts,
    })),
  };
}

/** The docs' table: one row per connection, the chain's file name on its first row. */
export function markdownTable(results: readonly ProbeResult[]): string {
  const header = ['chain', '#', 'connection', 'check', 'margin', 'retry: GET', 'retry: POST', ...gapNames.map((gap) => `${gap}`), 'POST at, above', 'probe', 'agree', 'downstream'];
  const rows = results.flatMap((result) =>
    result.connections.map((connection, index) => [
      index === 0 ? `\`${result.chain.split('/').pop() ?? result.chain}\`` : '',
      String(connection.plan.connection.number),
      connectionName(connection.plan.connection),
      verdictWords[connection.plan.connection.verdict],
      shownMs(connection.plan.connection.marginMs),
      yesNo(connection.plan.retries.get),
      yesNo(connection.plan.retries.post),
      ...connection.gaps.map(failedCell),
      postCell(connection.posts),
      connection.exposure?.replace(/ \(no retries\)$/, '') ?? connection.verdict,
      connection.agrees ? 'yes' : 'no',
      runsText(connection),
    ]),
  );
  const widths = header.map((_, column) => Math.max(3, ...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
