/**
 * Line-oriented configuration files (httpd.conf, haproxy.cfg): one directive a line, `#` comments,
 * words split on blanks (quotes kept together), include directives followed.
 */
import { includedFiles, readIncluded, type Place } from './conf-text.ts';

export interface Line extends Place {
  words: string[];
}

export function readLines(text: string, file: string, include: (words: string[]) => { pattern: string; optional: boolean } | undefined, seen = new Set([file])): Line[] {
  const out: Line[] = [];
  const rows = text.split('\n');
  for (let index = 0; index < rows.length; index++) {
    const line = index + 1;
    let row = rows[index] ?? '';
    // httpd continues a directive on the next line after a trailing backslash
    while (row.endsWith('\\') && index + 1 < rows.length) row = row.slice(0, -1) + (rows[++index] ?? '');
    const words = [...row.replace(/^\s*#.*$/, '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
    const hash = words.findIndex((word) => word.startsWith('#'));
    if (hash >= 0) words.length = hash;
    if (!words.length) continue;
    const wanted = include(words);
    if (!wanted) {
      out.push({ words, file, line });
      continue;
    }
    for (const each of includedFiles(wanted.pattern, { file, line }, wanted.optional)) {
      if (seen.has(each)) continue;
      out.push(...readLines(readIncluded(each, { file, line }), each, include, new Set([...seen, each])));
    }
  }
  return out;
}
