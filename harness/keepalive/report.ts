/**
 * What `faultgate keepalive check` and `probe` print alike: aligned columns, the verdict words,
 * durations and hints for people (check-report.ts and probe-report.ts build the tables). Colour
 * only marks verdicts; whether there is any is picocolors' decision (a terminal, CI, NO_COLOR,
 * FORCE_COLOR), as for every command: the caller passes its colours, plain ones in tests.
 */
import type pc from 'picocolors';
import { isSafe, type Connection, type Verdict } from './rule.ts';

export type Colours = Pick<typeof pc, 'green' | 'red' | 'yellow' | 'bold' | 'dim'>;

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

export const verdictWords: Record<Verdict, string> = { safe: 'safe', 'safe-by-hint': 'safe (hint)', equal: 'equal (race)', race: 'race' };

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
