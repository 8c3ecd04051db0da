/**
 * The README's layout picture read as a list of project paths, and the two ways it can differ from
 * a tree: a name with no file behind it, and a source file left out of a folder whose files it
 * lists. A name may be a pattern (`*.ts`: every other file of that kind in the folder), so that a
 * folder of one-file plug-ins (faulty-backends/) gains a file without a README edit.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

const isPattern = (path: string) => path.includes('*');

/** "faulty-backends/*.ts" as a test of a project path: `*` is any run of characters but '/'. */
function matcherOf(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
}

const sourceFilesIn = (root: string, folder: string) =>
  readdirSync(join(root, folder))
    .filter((name) => /\.(c?ts|js)$/.test(name) && statSync(join(root, folder, name)).isFile())
    .map((name) => `${folder}${name}`);

/** Names of the picture with nothing behind them in the tree (a pattern that matches no file counts). */
export function missingPaths(root: string, paths: readonly string[]): string[] {
  return paths.filter((path) => {
    if (!isPattern(path)) return !existsSync(join(root, path));
    const folder = path.slice(0, path.lastIndexOf('/') + 1);
    return !sourceFilesIn(root, folder).some((file) => matcherOf(path).test(file));
  });
}

/** Source files of a folder whose files the picture lists, that it neither names nor matches. */
export function unlistedFiles(root: string, paths: readonly string[]): string[] {
  const listed = new Set(paths.filter((path) => !isPattern(path)));
  const patterns = paths.filter(isPattern).map(matcherOf);
  const folders = new Set(paths.filter((path) => !path.endsWith('/') && path.includes('/')).map((path) => path.slice(0, path.lastIndexOf('/') + 1)));
  return [...folders].flatMap((folder) => sourceFilesIn(root, folder).filter((path) => !listed.has(path) && !patterns.some((pattern) => pattern.test(path))));
}

export const readmeLayout = (root: string): string[] => layoutPaths(readFileSync(join(root, 'README.md'), 'utf8'));
