/**
 * Reads a configuration file the way the products write them: YAML (edgemicro's
 * org-env-config.yaml, and the harness's own files), JSON, or XML (an Edge TargetEndpoint).
 * A file that is missing or does not parse is a one-line error naming the file and the place.
 */
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import YAML from 'yaml';
import { FaultgateError } from '../errors.ts';

export type ConfigFormat = 'yaml' | 'json' | 'xml';

export interface LoadedFile {
  file: string;
  format: ConfigFormat;
  data: unknown;
}

export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FaultgateError('E_CONFIG', `${file}: no such file`);
    if (code === 'EACCES') throw new FaultgateError('E_PRIVILEGE', `${file}: not allowed to read it`);
    if (code === 'EISDIR') throw new FaultgateError('E_CONFIG', `${file}: is a folder, expected a file`);
    throw new FaultgateError('E_CONFIG', `${file}: cannot read it (${code ?? String(error)})`);
  }
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
  return { file, format, data: document.toJS() as unknown };
}

export function loadConfigFile(file: string): LoadedFile {
  return parseConfigText(file, readConfigText(file));
}

function parseXml(file: string, text: string): unknown {
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
