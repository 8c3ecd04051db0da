/**
 * faultgate list: the scenarios, each with the document and cause it reproduces and the gateway
 * personality it runs on.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { exits, teach } from '../help.ts';
import { documents } from '../../runner/documents.ts';
import { loadScenarios } from '../../runner/load-scenarios.ts';

export function define(command: Command): void {
  command.option('--json', 'one JSON array');
  teach(command, {
    examples: [
      ['list', 'each scenario, its personality and title, the document and cause'],
      ['list --json', 'the same as one JSON array'],
    ],
    exits: [exits.ok('listed'), exits.usage],
  });
  command
    .action(async (options: { json?: boolean }) => {
      const scenarios = await loadScenarios();
      const rows = scenarios.map((scenario) => ({
        name: scenario.name,
        title: scenario.title,
        document: scenario.document,
        cause: scenario.cause,
        personality: scenario.gateway.personality,
        role: scenario.role,
        ...(scenario.twin ? { twin: scenario.twin } : {}),
      }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      const width = Math.max(...rows.map((row) => row.name.length));
      for (const row of rows) {
        const product = documents[row.document as keyof typeof documents].product;
        const marker = row.role === 'fix' ? pc.green('fix ') : pc.red('502 ');
        process.stdout.write(`${marker}${pc.bold(row.name.padEnd(width))}  ${row.personality.padEnd(12)} ${row.title}\n`);
        process.stdout.write(`${' '.repeat(width + 6)}${pc.dim(`${product} · ${row.cause}`)}\n`);
      }
    });
}
