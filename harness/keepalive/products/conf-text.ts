/**
 * Shared by the readers of text configuration files (nginx.conf, httpd.conf, haproxy.cfg): files
 * pulled in by include directives (with a `*` in the last part of the path), durations in each
 * product's units, and where a value came from as `file:line`.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readConfigText } from '../../config/load-file.ts';
import { FaultgateError } from '../../errors.ts';

export interface Place {
  file: string;
  line: number;
}

export const at = (place: Place) => `${place.file}:${place.line}`;

/** The files an include pattern names, relative to the including file's folder; sorted, as nginx and httpd read them. */
export function includedFiles(pattern: string, from: Place, optional = false): string[] {
  const path = shown(isAbsolute(pattern) ? pattern : resolve(dirname(from.file), pattern));
  const name = basename(path);
  if (!name.includes('*')) return [path];
  const folder = dirname(path);
  const matcher = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    if (optional) return [];
    throw new FaultgateError('E_CONFIG', `${at(from)}: include ${pattern}: no such folder ${folder}`);
  }
  return names.filter((each) => matcher.test(each)).sort().map((each) => join(folder, each));
}

/** Paths under the working folder are shown relative to it, as the chain's own files are. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function readIncluded(file: string, from: Place): string {
  try {
    return readConfigText(file);
  } catch (error) {
    if (error instanceof FaultgateError) throw new FaultgateError(error.code, `${at(from)}: include: ${error.message}`);
    throw error;
  }
}

const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration such as nginx's "1m30s" or HAProxy's "10s", in ms; a bare number is in `bareUnit`.
 * Undefined when it is not one.
 */
export function parseDuration(text: string, bareUnit: 's' | 'ms'): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * units[bareUnit]!;
  const parts = [...text.matchAll(/(\d+)(us|ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2] as string]!, 0));
}

export function duration(text: string | undefined, bareUnit: 's' | 'ms', place: Place, directive: string): number {
  const ms = text === undefined ? undefined : parseDuration(text, bareUnit);
  if (ms === undefined) throw new FaultgateError('E_CONFIG', `${at(place)}: ${directive}: expected a duration such as 60s, got ${JSON.stringify(text ?? '')}`);
  return ms;
}
