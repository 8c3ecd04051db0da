/**
 * The one step of adding a backend that a file cannot do by itself: naming it in the typed
 * registry (faulty-backends/index.ts), which keeps BackendName a closed union the type checker
 * holds scenarios and the failure model to. This finds a backend file the registry does not name,
 * so the step cannot be forgotten silently. And the lists of backends the tests share, derived
 * from the registry and the failure model rather than written out.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendDefinition } from '../../faulty-backends/backend.ts';
import type { StageFailure } from '../../harness/stage/plan.ts';

/** What defineBackend() returns, told apart from the other exports of a backend folder's files. */
function isDefinition(value: unknown): value is BackendDefinition {
  return typeof value === 'object' && value !== null && 'name' in value && 'serve' in value && 'start' in value && 'settingNames' in value;
}

/** The backends defined in the folder's files: file name (without .ts) and the name each defines. */
export async function backendFiles(folder: string): Promise<{ file: string; name: string }[]> {
  const files = readdirSync(folder).filter((file) => file.endsWith('.ts') && file !== 'index.ts');
  const modules = await Promise.all(files.map(async (file) => ({ file, exports: (await import(pathToFileURL(join(folder, file)).href)) as Record<string, unknown> })));
  return modules.flatMap(({ file, exports }) => Object.values(exports).filter(isDefinition).map((definition) => ({ file: file.slice(0, -'.ts'.length), name: definition.name })));
}

/** One line per backend file that the registry does not name, or whose name is not its file's. */
export async function registryProblems(folder: string, registry: readonly string[]): Promise<string[]> {
  const known = new Set(registry);
  return (await backendFiles(folder)).flatMap(({ file, name }) => [
    ...(name === file ? [] : [`${file}.ts defines "${name}": a backend is named like its file`]),
    ...(known.has(name) ? [] : [`${file}.ts: "${name}" is not in the backends of faulty-backends/index.ts`]),
  ]);
}

type FailureOf<Name extends string> = (name: Name) => StageFailure;

/** The backends that accept connections: all but those whose failure is that nothing does (the model's "connecting" phase). */
export function listeningBackends<Name extends string>(names: readonly Name[], failureOf: FailureOf<Name>): Name[] {
  return names.filter((name) => {
    const failure = failureOf(name);
    return failure === 'none' || failure?.phase !== 'connecting';
  });
}

/** The backends whose every answer waits for a gateway limit: the model's silences. */
export function silentBackends<Name extends string>(names: readonly Name[], failureOf: FailureOf<Name>): Name[] {
  return names.filter((name) => {
    const failure = failureOf(name);
    return failure !== 'none' && failure?.fault === 'silence';
  });
}
