/**
 * faultgate up: every faulty backend with a gateway of each personality in front of it, until
 * Ctrl-C. Prints a table (what each URL reproduces, the curl to type, the log to tail); with
 * --json, one JSON object per row instead.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { FaultgateError } from '../../errors.ts';
import { standUp } from '../../stage/stand-up.ts';
import { wireUnavailable } from '../../wire/tools.ts';
import { announceExposure, hostOption, parsePort } from '../options.ts';
import { exits, teach } from '../help.ts';
import { untilSignal } from '../until-signal.ts';

interface UpOptions {
  realTime?: boolean;
  basePort?: number;
  host?: string;
  logDir?: string;
  json?: boolean;
  wire?: boolean;
}

export function define(command: Command): void {
  teach(command, {
    examples: [
      ['up', 'short timings, any free ports; the table says what each curl reproduces'],
      ['up --base-port 8100', 'the gateways on 8100, 8101, …'],
      ['up --real-time --log-dir ./logs', "the products' own timings; the logs kept in ./logs"],
      ['up --json', 'one JSON object per row'],
    ],
    exits: [exits.ok('stopped by Ctrl-C, SIGTERM or SIGHUP, or by the process that started it exiting: everything closed, its own log folder removed'), exits.usage],
  });
  command
    .option('--real-time', "the products' own timings (55 s handshake limit, 5 s idle close)")
    .option('--base-port <n>', 'gateways on consecutive ports from this one (default: any free ports)', (value: string) => parsePort(value, '--base-port'))
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--log-dir <dir>', 'where the product logs go, kept afterwards (default: a temporary folder, removed on Ctrl-C)')
    .option('--json', 'one JSON object per row instead of the table')
    .option('--wire', 'every backend in a network namespace of its own, behind a veth pair; each row prints its capture filter (root; iproute2, nftables, tcpdump, tshark)')
    .action(async (options: UpOptions) => {
      const host = hostOption(options.host, {});
      if (options.wire) {
        const missing = wireUnavailable();
        if (missing) throw new FaultgateError('E_PRIVILEGE', missing);
      }
      const stage = await standUp({
        ...(options.realTime ? { realTime: true } : {}),
        ...(options.basePort === undefined ? {} : { basePort: options.basePort }),
        host,
        ...(options.logDir ? { logDir: options.logDir } : {}),
        ...(options.wire ? { wire: true } : {}),
      });
      const stopped = untilSignal(() => stage.close());
      announceExposure(host, 'every server of the stage');
      if (options.json) {
        for (const row of stage.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      } else {
        process.stdout.write(pc.bold(`faultgate up: ${stage.rows.length} gateways, ${options.realTime ? "the products' own timings" : 'short timings (--real-time for the products\' own)'}; Ctrl-C stops everything\n`));
        const lifetime = stage.removesLogDir ? 'removed when up stops; --log-dir DIR keeps them' : 'kept after up stops';
        process.stdout.write(pc.dim(`product logs under ${stage.logDir} (${lifetime})\n\n`));
        for (const row of stage.rows) {
          process.stdout.write(`${pc.bold(`${row.personality} → ${row.backend}${row.variant ? ` (${row.variant})` : ''}`.padEnd(36))} ${pc.cyan(row.url)}\n`);
          process.stdout.write(`   ${row.reproduces}\n`);
          process.stdout.write(pc.dim(`   $ ${row.curl}\n${row.logFile ? `   $ tail -f ${row.logFile}\n` : ''}${row.capture ? `   $ ${row.capture}\n` : ''}`));
        }
      }
      await stopped;
      if (!options.json) process.stdout.write('faultgate up: everything closed\n');
    });
}
