/**
 * The rules of the layout that a reader cannot see from one file:
 *  - no import cycle among the project's modules, type-only imports included (the graph a reader
 *    follows, not only the one that runs);
 *  - the gateway never touches a target socket or arms a timer: the connection owns its facts and
 *    limits (harness/gateway/connection.ts);
 *  - no Node internals (`_httpMessage`) and no casts to `never` in the harness.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['harness', 'faulty-backends', 'scenarios', 'bench', 'test'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(c|m)?ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every relative import of every project file (type-only ones too), resolved to project paths. */
export function importEdges(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(root, resolve(root, dirname(file), specifier)))
      .filter((target) => known.has(target));
    edges.set(file, [...new Set(targets)]);
  }
  return edges;
}

/** The cycles of a graph, each as the path that closes it (depth-first; one per back edge). */
export function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const files = SOURCE_DIRS.flatMap(sourceFiles);
const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the layout', () => {
  it('has no import cycle, type-only imports included', () => {
    expect(cyclesOf(importEdges(files)).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const edges = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cyclesOf(edges)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('the gateway touches no socket and arms no timer: the connection owns them', () => {
    for (const file of ['harness/gateway/gateway.ts', 'harness/gateway/proxy.ts', 'harness/gateway/answer-failure.ts']) {
      const code = read(file).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\bsetTimeout\s*\(|\.socket\b|\bsetInterval\s*\(/);
    }
  });

  it('uses no Node internals and no casts to never', () => {
    const offenders = files.filter((file) => file.startsWith('harness/') && /_httpMessage|\bas never\b/.test(read(file)));
    expect(offenders).toEqual([]);
  });
});
