/**
 * What the faultgate command loads at run time: every project file reachable from the given roots
 * and every package those files import. It is read by esbuild, the transformer tsx runs the
 * sources with (so it is installed wherever tsx is), which drops type-only imports exactly as at
 * run time. The image must hold all of it: no file in .dockerignore, every package installed by
 * `npm ci --omit=dev`.
 */
import { isBuiltin } from 'node:module';
import { build, stop, type Metafile } from 'esbuild';

export interface ImportGraph {
  /** project files, relative to the project root, with forward slashes */
  files: string[];
  /** package names (`zod`, `@scope/name`) */
  packages: string[];
  /** the packages of `packages` that are only ever loaded through import(), when first needed */
  lazyPackages: string[];
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** esbuild's record of every file reachable from `roots` and what each imports, how (static or import()) and whether it is a package. */
export async function importsFrom(projectRoot: string, roots: readonly string[]): Promise<Metafile['inputs']> {
  // esbuild serves builds from a child process of its own; it is stopped once the graph is read.
  const result = await build({
    entryPoints: [...roots],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    // Required with several entry points; nothing is written.
    outdir: 'out',
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  }).finally(() => stop());
  return result.metafile.inputs;
}

export async function importGraph(projectRoot: string, roots: readonly string[]): Promise<ImportGraph> {
  const inputs = Object.entries(await importsFrom(projectRoot, roots));
  const external = inputs.flatMap(([, input]) => input.imports.filter((entry) => entry.external && !isBuiltin(entry.path)));
  const packages = new Set(external.map((entry) => packageOf(entry.path)));
  const eager = new Set(external.filter((entry) => entry.kind !== 'dynamic-import').map((entry) => packageOf(entry.path)));
  return { files: inputs.map(([file]) => file).sort(), packages: [...packages].sort(), lazyPackages: [...packages].filter((name) => !eager.has(name)).sort() };
}
