/**
 * The package is one ES module build that CommonJS loads with require() (Node's require(esm)), which
 * works only while no module of the library's graph uses top-level await. The consumer test
 * (npm run test:package) proves it on the packed tarball; this checks the same on the sources as
 * compiled for the tests, in a second, so that a top-level await is caught by npm test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const compiledSources = fileURLToPath(new URL('../compiled-sources.js', import.meta.url));

const REQUIRE_THE_LIBRARY = `
import { createRequire } from 'node:module';
import { join } from 'node:path';
const { compiledSources } = await import(process.argv[1]);
const library = createRequire(import.meta.url)(join(await compiledSources(), 'harness', 'index.js'));
console.log(Object.keys(library).length);
`;

it('require() loads the library: no top-level await anywhere in its module graph', async () => {
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', REQUIRE_THE_LIBRARY, compiledSources], { timeout: 20_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err }),
    );
  });
  expect(stderr).toBe('');
  expect(Number(stdout.trim())).toBeGreaterThan(30);
});
