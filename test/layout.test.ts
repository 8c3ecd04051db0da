/**
 * The README's layout picture is the tree: every file and folder it names exists, and a folder
 * whose files it lists one by one has no file it leaves out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** The names in the README's layout picture, as project paths; folders end in '/'. */
export function layoutPaths(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const parents: { indent: number; path: string }[] = [];
  const paths: string[] = [];
  let descriptionColumn = Infinity;
  for (const line of block.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (!text || indent >= descriptionColumn) continue;
    const names = text.split(/ {2,}/)[0] ?? '';
    if (text.length > names.length) descriptionColumn = Math.min(descriptionColumn, line.indexOf(text.slice(names.length).trimStart()));
    while (parents.length && (parents.at(-1)?.indent ?? 0) >= indent) parents.pop();
    const parent = parents.at(-1)?.path ?? '';
    for (const name of names.split(',').map((each) => each.trim()).filter(Boolean)) {
      const path = `${parent}${name}`;
      paths.push(path);
      if (name.endsWith('/')) parents.push({ indent, path });
    }
  }
  return paths;
}

const paths = layoutPaths(readFileSync(join(root, 'README.md'), 'utf8'));

describe("the README's layout picture", () => {
  it('names only files and folders that exist', () => {
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
  });

  it('leaves out no source file of a folder whose files it lists', () => {
    const listed = new Set(paths);
    const folders = new Set(paths.filter((path) => !path.endsWith('/') && path.includes('/')).map((path) => path.slice(0, path.lastIndexOf('/') + 1)));
    const missing = [...folders].flatMap((folder) =>
      readdirSync(join(root, folder))
        .filter((name) => /\.(c?ts|js)$/.test(name) && statSync(join(root, folder, name)).isFile())
        .map((name) => `${folder}${name}`)
        .filter((path) => !listed.has(path)),
    );
    expect(missing).toEqual([]);
  });
});
