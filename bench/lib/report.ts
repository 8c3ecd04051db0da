/**
 * What every benchmark returns (findings: a measure, its goal, the figure, met or not) and the
 * plain-text tables they are printed in.
 */
import pc from 'picocolors';

export interface Finding {
  benchmark: string;
  measure: string;
  /** the goal in words, or '—' when the figure is recorded without one */
  goal: string;
  measured: string;
  /** undefined: no goal, or the figure could not be taken */
  met: boolean | undefined;
  note?: string;
}

export interface BenchmarkResult {
  findings: Finding[];
  /** a table of the raw figures behind the findings */
  details?: { title: string; head: string[]; rows: string[][] };
}

const ANSI = /\x1b\[[0-9;]*m/g;
const width = (text: string) => text.replace(ANSI, '').length;

export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column] ?? ''))));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - width(cell))).join(' | ')} |`;
  return [line(head.map((title) => pc.bold(title))), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function metLabel(met: boolean | undefined): string {
  if (met === undefined) return pc.dim('—');
  return met ? pc.green('met') : pc.red('NOT met');
}

export function findingsTable(findings: Finding[]): string {
  return formatTable(
    ['Benchmark', 'Measure', 'Goal', 'Measured', 'Met'],
    findings.map((f) => [f.benchmark, f.measure, f.goal, f.note ? `${f.measured} (${f.note})` : f.measured, metLabel(f.met)]),
  );
}

/** Progress lines go to stderr so that stdout holds only the tables. */
export function progress(message: string): void {
  process.stderr.write(`${pc.dim(new Date().toISOString().slice(11, 19))} ${message}\n`);
}
