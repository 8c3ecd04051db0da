/**
 * Reads a configuration file the way the products write them: YAML (edgemicro's
 * org-env-config.yaml, and the harness's own files), JSON, or XML (an Edge TargetEndpoint).
 * A file that is missing or does not parse is a one-line error naming the file and the place.
 *
 * Every file has bounds, because a chain or a scenario may come from someone else: a regular file
 * only (not /dev/zero, a FIFO or a folder), at most 1 MiB, YAML aliases limited (an alias bomb
 * expands a few lines into gigabytes), and no XML DOCTYPE (entities, external or not).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import YAML from 'yaml';
import { FaultgateError } from '../errors.ts';

export type ConfigFormat = 'yaml' | 'json' | 'xml';

export interface LoadedFile {
  file: string;
  format: ConfigFormat;
  data: unknown;
}

/** The largest configuration file read: real ones are a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** How often a YAML file may use its aliases (the yaml library's own default, stated). */
export const MAX_YAML_ALIASES = 100;

export function readConfigText(file: string): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO returns at once and is refused below.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new FaultgateError('E_CONFIG', `${file}: is a folder, expected a file`);
    if (!stat.isFile()) throw new FaultgateError('E_CONFIG', `${file}: is not a regular file (a device, pipe or socket); give a file`);
    // Read one byte past the limit: a file that grows after fstat is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_CONFIG_BYTES) + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CONFIG_BYTES) throw new FaultgateError('E_CONFIG', `${file}: is larger than ${MAX_CONFIG_BYTES} bytes (1 MiB), the most faultgate reads`);
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, error: unknown): Error {
  if (error instanceof FaultgateError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FaultgateError('E_CONFIG', `${file}: no such file`);
  if (code === 'EACCES') return new FaultgateError('E_PRIVILEGE', `${file}: not allowed to read it`);
  if (code === 'EISDIR') return new FaultgateError('E_CONFIG', `${file}: is a folder, expected a file`);
  return new FaultgateError('E_CONFIG', `${file}: cannot read it (${code ?? String(error)})`);
}

export function formatOf(file: string, text: string): ConfigFormat {
  if (/\.xml$/i.test(file) || text.trimStart().startsWith('<')) return 'xml';
  if (/\.json$/i.test(file)) return 'json';
  return 'yaml';
}

export function parseConfigText(file: string, text: string, format: ConfigFormat = formatOf(file, text)): LoadedFile {
  if (format === 'xml') return { file, format, data: parseXml(file, text) };
  if (format === 'json') {
    try {
      return { file, format, data: JSON.parse(text) as unknown };
    } catch (error) {
      throw new FaultgateError('E_CONFIG', `${file}: is not valid JSON (${(error as Error).message})`);
    }
  }
  const document = YAML.parseDocument(text, { prettyErrors: false });
  const problem = document.errors[0];
  if (problem) {
    // Without prettyErrors the parser gives the offset, not the line, for some errors.
    const line = problem.linePos?.[0]?.line ?? text.slice(0, problem.pos[0]).split('\n').length;
    throw new FaultgateError('E_CONFIG', `${file}: is not valid YAML${line ? ` (line ${line})` : ''}: ${problem.message.split('\n')[0]}`);
  }
  try {
    return { file, format, data: document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    if (!error.message.startsWith('Excessive alias')) throw new FaultgateError('E_CONFIG', `${file}: is not valid YAML: ${error.message}`);
    throw new FaultgateError('E_CONFIG', `${file}: uses YAML aliases more than ${MAX_YAML_ALIASES} times (an alias bomb?); write the values out`);
  }
}

export function loadConfigFile(file: string): LoadedFile {
  return parseConfigText(file, readConfigText(file));
}

function parseXml(file: string, text: string): unknown {
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
    throw new FaultgateError('E_CONFIG', `${file}: has a <!DOCTYPE> or <!ENTITY>; a TargetEndpoint needs neither, remove it`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new FaultgateError('E_CONFIG', `${file}: is not valid XML (line ${valid.err.line}): ${valid.err.msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    trimValues: true,
    isArray: (tagName) => tagName === 'Property',
  });
  return parser.parse(text) as unknown;
}
