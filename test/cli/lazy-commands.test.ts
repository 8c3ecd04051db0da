/**
 * A start loads only what its command needs. The program lists every command but defines in full
 * only the one it runs (or shows the help of): main.ts reaches the command modules through
 * import() alone, `backend` loads no gateway, runner or probe, and the line the top-level help
 * shows for each command is the one its loaded definition would give.
 */
import { Help } from 'commander';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../../harness/cli/commands/index.ts';
import { buildProgram } from '../../harness/cli/main.ts';
import { importsFrom } from '../compose/import-graph.ts';
import { helpOf } from '../docs/help-of.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What a module loads before it runs (its static imports, followed): project files and packages. */
async function eagerlyLoaded(root: string): Promise<string[]> {
  const inputs = await importsFrom(projectRoot, [root]);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const entry of inputs[file]?.imports ?? []) {
      if (entry.kind !== 'import-statement') continue;
      if (entry.external) seen.add(entry.path);
      else visit(entry.path);
    }
  };
  visit(root);
  return [...seen].sort();
}

describe('commands load when they run', () => {
  it("main.ts loads no command's module; each is import()ed when its command runs", async () => {
    const eager = await eagerlyLoaded('harness/cli/main.ts');
    expect(eager.filter((file) => file.startsWith('harness/cli/commands/'))).toEqual(['harness/cli/commands/index.ts']);
    expect(eager.filter((file) => ['zod', 'yaml', 'pino', 'http-proxy'].includes(file))).toEqual([]);
  });

  it('backend loads no gateway, runner, probe or stage, and neither pino nor http-proxy', async () => {
    const eager = await eagerlyLoaded('harness/cli/commands/backend.ts');
    expect(eager.filter((file) => /^harness\/(gateway\/gateway\.ts|runner\/|keepalive\/|stage\/|wire\/|reference\/)/.test(file))).toEqual([]);
    expect(eager.filter((file) => ['pino', 'http-proxy', 'fast-xml-parser', 'cli-progress'].includes(file))).toEqual([]);
  });

  it("the top-level help lists each command with its loaded definition's own term", async () => {
    const program = await buildProgram();
    expect(program.commands.map((command) => command.name())).toEqual(commands.map((entry) => entry.name));
    for (const entry of commands) {
      const command = program.commands.find((each) => each.name() === entry.name);
      if (!command) throw new Error(`no command ${entry.name}`);
      expect(entry.term, entry.name).toBe(new Help().subcommandTerm(command));
    }
  });

  it('`help <command>` shows that command in full, as `<command> --help` does', async () => {
    const [viaHelp, viaOption] = await Promise.all([helpOf(['help', 'backend']), helpOf(['backend', '--help'])]);
    expect(viaHelp.output).toBe(viaOption.output);
    expect(viaHelp.output).toContain('Backends and their settings');
  });
});
