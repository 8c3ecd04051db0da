/**
 * A command's --help as the program prints it on a pipe (80 columns, no colour), asked of the
 * program in this process: the same text `npx faultgate … --help` prints, without a start-up.
 */
import { Command, CommanderError } from 'commander';
import { buildProgram } from '../../harness/cli/main.ts';

export interface Outcome {
  code: number | null;
  output: string;
}

export async function helpOf(args: readonly string[]): Promise<Outcome> {
  // As the command builds it for these arguments: only their command defined in full.
  const program = await buildProgram(args);
  let output = '';
  const capture = (command: Command) => {
    command.configureOutput({
      writeOut: (text) => (output += text),
      writeErr: (text) => (output += text),
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return { code: 0, output };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, output };
    throw error;
  }
}

/** Every command path of the program: [], ['list'], …, ['keepalive', 'check'], … */
export async function commandPaths(): Promise<string[][]> {
  const paths = (command: Command, prefix: string[]): string[][] => [
    prefix,
    ...command.commands.filter((each) => each.name() !== 'help').flatMap((each) => paths(each, [...prefix, each.name()])),
  ];
  return paths(await buildProgram(), []);
}

/** The commands a --help's Examples section shows, without `npx faultgate`. */
export function examplesIn(help: string): string[] {
  const section = help.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npx faultgate '))
    .map((line) => line.slice('npx faultgate '.length));
}

/**
 * Parses a command line as the program would, running no action: a misspelt option, a missing
 * argument or a value an option refuses is the error it returns.
 */
export async function parseOnly(args: readonly string[]): Promise<string | undefined> {
  const program = await buildProgram(args);
  let output = '';
  const quiet = (command: Command) => {
    command.configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
    command.action(() => {});
    command.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? undefined : output.trim() || error.message;
    return error instanceof Error ? error.message : String(error);
  }
}
