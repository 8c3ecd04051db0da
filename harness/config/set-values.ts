/**
 * `--set key=value` (and environment variables of the same names): reaches any setting by its
 * config name. A key that the personality knows as one flat name (Edge's `io.timeout.millis`) is
 * set as is; any other dotted key is a path into nested YAML (`edgemicro.logging.level`). Values
 * are read as YAML scalars, so `1000` is a number, `true` a boolean and `warn` a string.
 */
import YAML from 'yaml';
import { FaultgateError } from '../errors.ts';

export type ConfigObject = Record<string, unknown>;

export function parseAssignment(assignment: string): [key: string, value: unknown] {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new FaultgateError('E_USAGE', `--set ${assignment}: expected key=value, e.g. --set io.timeout.millis=1000`);
  const key = assignment.slice(0, at).trim();
  const text = assignment.slice(at + 1);
  return [key, parseScalar(text)];
}

export function parseScalar(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    const value: unknown = YAML.parse(text);
    return value === null ? text : value;
  } catch {
    return text;
  }
}

/** Returns a copy of `config` with `value` at `key`, flat or nested as described above. */
export function setValue(config: ConfigObject, key: string, value: unknown, flatKeys: ReadonlySet<string>): ConfigObject {
  if (flatKeys.has(key) || !key.includes('.')) return { ...config, [key]: value };
  const [head = '', ...rest] = key.split('.');
  const child = config[head];
  const nested = child !== null && typeof child === 'object' && !Array.isArray(child) ? (child as ConfigObject) : {};
  return { ...config, [head]: setValue(nested, rest.join('.'), value, new Set()) };
}

export function applyAssignments(config: ConfigObject, assignments: readonly string[], flatKeys: ReadonlySet<string>): ConfigObject {
  return assignments.reduce((current, assignment) => {
    const [key, value] = parseAssignment(assignment);
    return setValue(current, key, value, flatKeys);
  }, config);
}
