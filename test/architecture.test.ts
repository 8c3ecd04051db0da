/**
 * The rules of the layout that a reader cannot see from one file:
 *  - no import cycle among the project's modules, type-only imports included (the graph a reader
 *    follows, not only the one that runs);
 *  - the gateway never touches a target socket or arms a timer: the connection owns its facts and
 *    limits (harness/gateway/connection.ts);
 *  - no Node internals (`_httpMessage`) and no casts to `never` in the harness;
 *  - a test file whose tests run concurrently closes what each test started through that test's
 *    own onTestFinished: vitest's global one knows the running test only when tests run one at a
 *    time, and would close a test's gateway when another test of the file finished.
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

/** The arguments of every call of `name(…)` in the code, each call's arguments split at its top-level commas. */
export function callsOf(code: string, name: string): string[][] {
  const calls: string[][] = [];
  for (const match of code.matchAll(new RegExp(`\\b${name}\\(`, 'g'))) {
    const args: string[] = [];
    let depth = 0;
    let current = '';
    for (const char of code.slice((match.index ?? 0) + match[0].length)) {
      if (depth === 0 && (char === ',' || char === ')')) {
        if (current.trim() !== '') args.push(current.trim());
        current = '';
        if (char === ')') break;
        continue;
      }
      if ('([{'.includes(char)) depth++;
      if (')]}'.includes(char)) depth--;
      current += char;
    }
    calls.push(args);
  }
  return calls;
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

  it('concurrent tests clean up through their own context, never the global onTestFinished', () => {
    const concurrent = files.filter((file) => file.startsWith('test/') && /\b(describe|test|it)\.concurrent\b/.test(read(file)));
    expect(concurrent.length).toBeGreaterThan(0);
    // The helpers that clean up after a test, and how many arguments a call needs to name its finisher.
    const withFinisher = { tempDir: 1, startBackend: 3, startGateway: 2 } as const;
    const offenders = concurrent.flatMap((file) => {
      // Comments out (whole-line ones only: a URL in a string has // in it too).
      const code = read(file).replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
      const problems = /import\s*\{[^}]*\bonTestFinished\b[^}]*\}\s*from\s*'vitest'/.test(code) ? ['imports the global onTestFinished'] : [];
      for (const [helper, needed] of Object.entries(withFinisher)) {
        for (const call of callsOf(code, helper)) if (call.length < needed) problems.push(`${helper}(…) without a finisher`);
      }
      return problems.map((problem) => `${file}: ${problem}`);
    });
    expect(offenders).toEqual([]);
  });

  it('uses no Node internals and no casts to never', () => {
    const offenders = files.filter((file) => file.startsWith('harness/') && /_httpMessage|\bas never\b/.test(read(file)));
    expect(offenders).toEqual([]);
  });
});
