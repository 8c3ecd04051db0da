/**
 * Option parsing shared by the standalone commands: ports, repeated --set, and settings taken from
 * the environment under their config names (so a compose file needs no logic of its own).
 */
import { FaultgateError } from '../errors.ts';
import { parseScalar, setValue, type ConfigObject } from '../config/set-values.ts';
import { isLoopback } from '../listen.ts';

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

/** --host, else FAULTGATE_HOST, else loopback; an empty value (which Node takes for every interface) is refused. */
export function hostOption(host: string | undefined, env: NodeJS.ProcessEnv): string {
  const [value, name] = host !== undefined ? [host, '--host'] : env.FAULTGATE_HOST !== undefined ? [env.FAULTGATE_HOST, 'FAULTGATE_HOST'] : ['127.0.0.1', ''];
  if (value.trim() === '') {
    throw new FaultgateError('E_USAGE', `${name} "": an empty host would listen on every interface; give an address, e.g. 127.0.0.1 (this machine) or 0.0.0.0 (every interface)`);
  }
  return value;
}

/** Says so on stderr when a server listens where other machines can reach it. */
export function announceExposure(host: string, what: string, stderr: NodeJS.WritableStream = process.stderr): void {
  if (!isLoopback(host)) stderr.write(`faultgate: ${what} listens on ${host}, not loopback: other machines on the network can reach it\n`);
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
