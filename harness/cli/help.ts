/**
 * Help that teaches: every command's --help ends with examples that paste as printed, its exit
 * codes, and for gateway and backend every setting with its default and unit, read from the zod
 * schemas that check them (config/setting-list.ts), so the list cannot drift from what is accepted;
 * those sections are each command's own (commands/gateway.ts, commands/backend.ts).
 */
import type { Command } from 'commander';
import { INVOCATION } from '../invocation.ts';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE } from './exit-codes.ts';

export interface Teaching {
  /** [arguments after `npx faultgate`, what it does] */
  examples: [string, string][];
  /** [code, when] */
  exits: [number, string][];
  /** further sections, each a title and its lines, built when help is shown */
  sections?: () => { title: string; lines: string[] }[];
}

export const exits = {
  ok: (when: string): [number, string] => [EXIT_OK, when],
  failed: (when: string): [number, string] => [EXIT_FAILED, when],
  usage: [EXIT_USAGE, 'bad input: one line on stderr names the option, file or field and the fix; nothing is left running'] as [number, string],
  interrupted: [EXIT_INTERRUPTED, 'Ctrl-C (or SIGHUP, or the process that started it exiting) before the end: everything it started is closed'] as [number, string],
  terminated: [EXIT_TERMINATED, 'SIGTERM before the end: everything it started is closed'] as [number, string],
  outputClosed: [EXIT_OK, 'the reader of its output went away before the end (… | head): everything it started is closed, quietly'] as [number, string],
};

function render(teaching: Teaching): string {
  const out: string[] = ['', 'Examples:'];
  for (const [args, what] of teaching.examples) out.push(`  # ${what}`, `  ${INVOCATION} ${args}`);
  out.push('', 'Exit codes:');
  for (const [code, when] of teaching.exits) out.push(`  ${String(code).padStart(3)}  ${when}`);
  for (const section of teaching.sections?.() ?? []) out.push('', `${section.title}:`, ...section.lines);
  return out.join('\n');
}

export function teach(command: Command, teaching: Teaching): Command {
  return command.addHelpText('after', () => render(teaching));
}
