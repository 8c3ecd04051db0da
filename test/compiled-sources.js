/**
 * The sources as they are now, compiled to JavaScript: for the command the tests start as a child
 * process (test/faultgate.js), and for the tests themselves, which import the sources through this
 * tree (vitest.config.ts). Running the command through tsx cost every start about 0.6 s of CPU (its
 * loader thread, a resolve and a load for every module); the tests start some 80 such processes.
 *
 * esbuild compiles each file on its own, with the layout of dist/ (what `npm run build` makes with
 * tsc): relative imports end in .js, engine-child.cts becomes engine-child.cjs, packages stay
 * imports. No type check here: that is `npm run typecheck`. The result is kept under
 * node_modules/.cache/, in a folder named by a hash of the sources, so it is made once per change
 * of the sources, whichever process needs it first; a concurrent maker loses the rename, harmlessly.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** tsconfig.build.json's "include" */
const FOLDERS = ['harness', 'faulty-backends', 'scenarios'];
const CACHE = join(root, 'node_modules', '.cache', 'faultgate-test');
/** The folder compiled for this run of the suite, in the environment its processes inherit. */
const MADE_VARIABLE = 'COMPILED_SOURCES_OF_FAULTGATE';
/** Trees of other sources are removed once this old (a suite still running may use its own). */
const STALE_MS = 60 * 60_000;

/** @returns {string[]} the project-relative paths of every .ts and .cts source file */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.c?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const folder of FOLDERS) walk(folder);
  return files.sort();
}

/** @returns {string} a hash of the sources, this file and the compiler's version */
function digest(files) {
  const hash = createHash('sha256');
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version);
  for (const file of files) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Relative imports of the sources, as the compiled files name them. */
const compiledImports = {
  name: 'compiled-imports',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => ({ path: args.path.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs'), external: true }));
  },
};

async function compile(files, into, finalDir) {
  const { build } = await import('esbuild');
  const common = { outdir: into, outbase: root, bundle: true, packages: 'external', platform: 'node', target: 'node20', logLevel: 'error', plugins: [compiledImports], sourcemap: 'inline', sourcesContent: false };
  const entries = (pattern) => files.filter((file) => pattern.test(file)).map((file) => join(root, file));
  await build({ ...common, entryPoints: entries(/\.ts$/), format: 'esm' });
  const children = { ...common, entryPoints: entries(/\.cts$/), format: 'cjs', outExtension: { '.js': '.cjs' } };
  await build(children);
  await bundleCommand(files, join(into, 'command'), join(finalDir, 'command'));
  // The bundle's modules find their child scripts beside themselves, as in the per-file tree.
  await build({ ...children, outdir: join(into, 'command') });
  // Under node_modules/ no package.json of the project's applies: say that .js is an ES module.
  // Written last, it also marks the tree as complete.
  writeFileSync(join(into, 'package.json'), '{ "type": "module" }\n');
}

/**
 * The command and the built-in scenarios once more, as one bundle with its packages (split into
 * shared chunks, so a scenario file and the runner share one copy of each module), in command/
 * beside the per-file tree, which the tests themselves import (vitest.config.ts). A start then
 * reads a few files instead of some 150 modules and their packages' resolution: about 0.2 s less
 * CPU per child process. Each module's `import.meta.url` is its place in command/ as if it were a
 * file of its own, so the paths it finds from there (the bundled scenarios, the engine's child
 * script, compiled there too, package.json) are the bundle's own.
 * tsx stays a package import: its loader registers files relative to its own location.
 */
async function bundleCommand(files, into, finalDir) {
  const { build } = await import('esbuild');
  const ownUrl = {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const path = relative(root, args.path);
        if (path.startsWith('..') || path.startsWith('node_modules')) return undefined;
        const url = pathToFileURL(join(finalDir, path.replace(/\.ts$/, '.js'))).href;
        return { contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(url)), loader: 'ts' };
      });
    },
  };
  await build({
    entryPoints: [join(root, 'harness', 'cli', 'main.ts'), ...files.filter((file) => /^scenarios\/.*\.ts$/.test(file)).map((file) => join(root, file))],
    outdir: into,
    outbase: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    external: ['tsx', 'tsx/*'],
    allowOverwrite: true,
    plugins: [ownUrl],
    // The packages' CommonJS code calls require() for Node's own modules.
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
  });
}

function removeStale(keep) {
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (name !== keep && Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/** @returns {Promise<string>} the folder of the compiled sources (its harness/cli/main.js is the command) */
export async function compiledSources() {
  // Set by the suite's setup below: the children it starts skip reading every source to hash it.
  const made = process.env[MADE_VARIABLE];
  if (made && existsSync(join(made, 'package.json'))) return made;
  const files = sourceFiles();
  const name = digest(files);
  const dir = join(CACHE, name);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const building = join(CACHE, `.${name}-${process.pid}`);
  try {
    await compile(files, building, dir);
    renameSync(building, dir);
  } catch (error) {
    // Another process made the same tree first: use that one.
    if (!existsSync(join(dir, 'package.json'))) throw error;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  removeStale(name);
  return dir;
}

/** vitest's globalSetup: compiled before the first test starts a command, not by many at once. */
export async function setup() {
  process.env[MADE_VARIABLE] = await compiledSources();
}
