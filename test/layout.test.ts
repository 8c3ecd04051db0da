/**
 * The README's layout picture is the tree: every file and folder it names exists, and a folder
 * whose files it lists one by one (or by a pattern) has no file it leaves out.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutPaths, missingPaths, readmeLayout, unlistedFiles } from './layout.ts';

const root = resolve(import.meta.dirname, '..');
const paths = readmeLayout(root);

describe("the README's layout picture", () => {
  it('names only files and folders that exist', () => {
    expect(paths.length).toBeGreaterThan(20);
    expect(missingPaths(root, paths)).toEqual([]);
  });

  it('leaves out no source file of a folder whose files it lists', () => {
    expect(unlistedFiles(root, paths)).toEqual([]);
  });

  it('reads a pattern as every file it matches, and a pattern that matches nothing as missing', () => {
    const picture = (lines: string) => layoutPaths(`## Layout\n\n\`\`\`\n${lines}\n\`\`\`\n`);
    const withPattern = picture('faulty-backends/\n  index.ts    the registry\n  *.ts        one per fault');
    expect(missingPaths(root, withPattern)).toEqual([]);
    expect(unlistedFiles(root, withPattern)).toEqual([]);
    const withoutPattern = picture('faulty-backends/\n  index.ts    the registry');
    expect(unlistedFiles(root, withoutPattern)).toContain('faulty-backends/healthy.ts');
    expect(missingPaths(root, picture('faulty-backends/\n  *.yaml      none'))).toEqual(['faulty-backends/*.yaml']);
  });
});
