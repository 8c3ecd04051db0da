/**
 * Runs a compose service's faultgate arguments through the real command-line program, in this
 * process and without starting anything: commander parses them with the options the CLI defines,
 * then the same resolver the command's action (and --check) uses validates options, environment and
 * settings. A hook stops the program just before the action would listen.
 */
import type { Command } from 'commander';
import type { BackendDefinition, ListenOptions } from '../../faulty-backends/backend.ts';
import { resolveBackendOptions, type BackendCommandOptions } from '../../harness/cli/commands/backend.ts';
import { resolveGatewayOptions, type GatewayCommandOptions } from '../../harness/cli/commands/gateway.ts';
import { buildProgram } from '../../harness/cli/main.ts';
import type { GatewayOptions } from '../../harness/gateway/gateway.ts';
import { personalityNamed } from '../../harness/gateway/personalities.ts';

export type Invocation =
  | { kind: 'backend'; name: string; definition: BackendDefinition; settings: unknown; listen: ListenOptions }
  | { kind: 'gateway'; options: GatewayOptions; settings: Record<string, unknown> };

class Stop extends Error {}

export async function parseInvocation(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Invocation> {
  const program = await buildProgram(args);
  let action: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    action = actionCommand;
    throw new Stop();
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  if (!action) throw new Error(`faultgate ${args.join(' ')}: no command ran`);
  if (action.name() === 'backend') {
    const name = action.args[0] ?? '';
    const resolved = resolveBackendOptions(name, action.opts<BackendCommandOptions>(), env);
    return { kind: 'backend', name, definition: resolved.definition, settings: resolved.settings, listen: resolved.listen };
  }
  if (action.name() === 'gateway') {
    const options = resolveGatewayOptions(action.opts<GatewayCommandOptions>(), env);
    const settings = personalityNamed(options.personality).parseSettings(options.settings) as Record<string, unknown>;
    return { kind: 'gateway', options, settings };
  }
  throw new Error(`faultgate ${args.join(' ')}: not a standalone command`);
}
