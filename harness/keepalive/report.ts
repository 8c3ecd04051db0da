/**
 * What `faultgate keepalive check` and `probe` print: aligned tables for people, a Markdown table
 * for the docs, and plain JSON for machines. Colour only marks verdicts, and only on a terminal
 * that wants it (NO_COLOR is honoured).
 */
import pc from 'picocolors';
import type { Chain } from './chain.ts';
import { gapNames, type ConnectionResult, type GapResult, type ProbeResult } from './probe.ts';
import { defaultedValues, exposure, isSafe, retriedText, type Connection, type Verdict } from './rule.ts';

export type Colours = Pick<typeof pc, 'green' | 'red' | 'yellow' | 'bold' | 'dim'>;

export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colours {
  return pc.createColors(Boolean(stream.isTTY) && !env.NO_COLOR);
}

/** Pads cells into columns; a column whose cells below the header are all numbers (or "N ms") is aligned right. */
export function alignTable(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const plain = (cell: string) => cell.replace(/\x1b\[[0-9;]*m/g, '');
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, plain(cell).length)));
  const body = rows.slice(1);
  const right = widths.map((_, column) => body.length > 0 && body.every((row) => /^-?\d+( ms)?$/.test(plain(row[column] ?? ''))));
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, column) => {
          const pad = ' '.repeat((widths[column] ?? 0) - plain(cell).length);
          return right[column] ? pad + cell : cell + pad;
        })
        .join('  ')
    ).trimEnd(),
  );
}

const verdictWords: Record<Verdict, string> = { safe: 'safe', 'safe-by-hint': 'safe (hint)', equal: 'equal (race)', race: 'race' };

export function verdictText(verdict: Verdict, colours?: Colours): string {
  const text = verdictWords[verdict];
  if (!colours) return text;
  return isSafe(verdict) ? colours.green(text) : colours.red(text);
}

/** A duration for people: "no limit" for a hop that keeps idle connections for ever. */
export const shownMs = (ms: number) => (Number.isFinite(ms) ? `${ms} ms` : ms > 0 ? 'no limit' : 'unbounded');

export const connectionName = (connection: Connection) => `${connection.downstream.name} → ${connection.upstream.name}`;

export function hintText(connection: Connection): string {
  const { hint } = connection;
  if (!hint.advertised || hint.seconds === undefined) return 'none';
  if (!hint.honoured) return `timeout=${hint.seconds}, ignored`;
  return hint.retiresAtMs === 0 ? `timeout=${hint.seconds}, honoured: no reuse` : `timeout=${hint.seconds}, honoured: ${hint.retiresAtMs} ms`;
}

// ---- check ----

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

// ---- probe ----

const failedCell = (gap: GapResult) => `${gap.failures}/${gap.requests}${gap.hidden ? ` (${gap.hidden} hidden)` : ''}${gap.inconclusive ? ` (${gap.inconclusive}?)` : ''}`;

/** The boundary POSTs in one cell: failed/sent at each gap they were sent at, e.g. "3/3, 0/3". */
const postCell = (posts: readonly GapResult[]) => posts.map(failedCell).join(', ');

const runsText = (connection: ConnectionResult) => `${connection.plan.runs.what} (${connection.plan.runs.real ? 'real' : 'modelled'})`;
const yesNo = (value: boolean) => (value ? 'yes' : 'no');

function probeVerdictText(result: ConnectionResult, colours: Colours): string {
  if (result.verdict === 'safe') return colours.green('safe');
  if (result.verdict === 'race') return colours.red('race');
  return colours.yellow('inconclusive');
}

export function probeText(result: ProbeResult, colours: Colours): string {
  const { settings } = result;
  const time = settings.scaleToMs
    ? `each connection scaled so that its upstream keeps an idle connection ${settings.scaleToMs} ms`
    : settings.timeScale === 1
      ? 'real time'
      : `time scaled by ${settings.timeScale}`;
  const lines = [
    `${result.chain}: probe says ${result.verdict === 'safe' ? colours.green('safe') : result.verdict === 'race' ? colours.red('race') : colours.yellow('inconclusive')}` +
      `, ${result.agrees ? 'as the check does' : colours.yellow('unlike the check')}`,
    `  ${time}; return trip ${settings.latencyMs} ms, FIN held ${settings.holdFinMs} ms, ${settings.repeat} request(s) per gap`,
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
