/**
 * The faultgate command. Each subcommand is a module in commands/; this file only wires them up
 * and turns every user mistake into one line on stderr and exit code 2.
 */
import { Command, CommanderError, Help } from 'commander';
import { isFaultgateError } from '../errors.ts';
import { INVOCATION } from '../invocation.ts';
import { commands } from './commands/index.ts';
import { exits, teach } from './help.ts';
import { outputClosed } from './stop.ts';
import { packageVersion } from './version.ts';

import { EXIT_OK, EXIT_USAGE } from './exit-codes.ts';

/**
 * The program, with every command listed and defined in full the ones `argv` runs or asks help
 * of (all of them when no argv is given: the docs and tests read every command's help).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('faultgate')
    .description('Reproduces the failures that make API gateways answer 502 Bad Gateway.')
    .version(packageVersion(), '-V, --version', 'the version of faultgate')
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      // A mistake commander finds (an unknown option, a missing argument) is one line like ours.
      outputError: (text, write) => write(`faultgate: ${text.replace(/^error: /, '').trim()} (see ${INVOCATION} --help)\n`),
    });
  teach(program, {
    examples: [
      ['list', 'the scenarios: document, cause, personality'],
      ['run all', 'every scenario, narrated, each failure with its fix (what npm start does)'],
      ['up', 'every faulty backend behind both gateways, for curl, until Ctrl-C'],
      ['run --help', "a command's options, examples and exit codes"],
    ],
    exits: [exits.ok('done as asked'), exits.failed('a scenario, check or probe did not come out as expected'), exits.usage, exits.interrupted],
  });
  const wanted = argv === undefined ? undefined : new Set(argv[0] === 'help' ? argv.slice(1, 2) : argv.slice(0, 1));
  const terms = new Map(commands.map((entry) => [entry.name, entry.term]));
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? new Help().subcommandTerm(command) });
  for (const entry of commands) {
    const command = program.command(entry.name).description(entry.summary);
    if (wanted === undefined || wanted.has(entry.name)) (await entry.load()).define(command);
  }
  program.commands.forEach((command) => command.exitOverride());
  return program;
}

/** Runs the command line and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // Output piped into a reader that stops early (`faultgate list | head`) is not an error: a
  // command with something open closes it first (stop.ts), any other exits at once.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (!outputClosed()) process.exit(EXIT_OK);
  });
  try {
    const program = await buildProgram(argv);
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; anything else commander rejects is a usage mistake.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isFaultgateError(error)) {
      process.stderr.write(`faultgate: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
