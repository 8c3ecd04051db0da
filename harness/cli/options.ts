/**
 * Option parsing shared by the standalone commands: ports, repeated --set, and settings taken from
 * the environment under their config names (so a compose file needs no logic of its own).
 */
import { FaultgateError } from '../errors.ts';
import { parseScalar, setValue, type ConfigObject } from '../config/set-values.ts';

export function parsePort(value: string, name = '--port'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new FaultgateError('E_USAGE', `${name} ${value}: expected a port number from 0 to 65535 (0: any free port)`);
  return port;
}

/** --port, else FAULTGATE_PORT, read when the command runs (a bad value must not break other commands). */
export function portOption(port: number | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (port !== undefined) return port;
  return env.FAULTGATE_PORT === undefined ? undefined : parsePort(env.FAULTGATE_PORT, 'FAULTGATE_PORT');
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Applies every environment variable whose name is a setting name, before the --set values. */
export function settingsFromEnvironment(
  config: ConfigObject,
  names: ReadonlySet<string>,
  flatNames: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): ConfigObject {
  let result = config;
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) result = setValue(result, name, parseScalar(value), flatNames);
  }
  return result;
}

/** Rejects --set keys the target does not know, naming them and the known ones. */
export function checkSettingNames(assignments: readonly string[], names: ReadonlySet<string>, what: string): void {
  for (const assignment of assignments) {
    const key = assignment.split('=')[0]?.trim() ?? '';
    if (!names.has(key)) {
      throw new FaultgateError('E_USAGE', `--set ${key}: ${what} has no such setting; known: ${[...names].join(', ') || '(none)'}`);
    }
  }
}
