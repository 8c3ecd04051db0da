/**
 * Finds and checks scenario files. Every `.ts` file in scenarios/ is one scenario (a newcomer adds a
 * failure mode by adding a file); a user may also name a file of their own (TypeScript, YAML or
 * JSON). A file that does not fit the shape fails here, at load, naming the file and the field —
 * including settings that the personality or backend would refuse, in both test and real time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backends, type BackendName } from '../../faulty-backends/index.ts';
import { describeIssue } from '../config/describe-issue.ts';
import { loadConfigFile } from '../config/load-file.ts';
import { FaultgateError, isFaultgateError } from '../errors.ts';
import { personalities } from '../gateway/personalities.ts';
import { documentIds } from './documents.ts';
import { resolveDuration, resolveDurations } from './duration.ts';
import { scenarioSchema, type Scenario } from './scenario.ts';
import { storyHoles, tellStory, type StorySettings } from './story.ts';

export const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
/**
 * The extension of the built-in scenario files: `.ts` when the sources run (tests, development),
 * `.js` when the compiled package runs; the scenarios are compiled beside this module.
 */
const scenarioExtension = extname(fileURLToPath(import.meta.url));
const isScenarioFile = (name: string) => name.endsWith(scenarioExtension) && !name.endsWith(`.d${scenarioExtension}`);

/**
 * A file of the user's, which may be TypeScript and may sit outside any ESM package: tsx loads it
 * as ESM whatever its folder. Imported only then, so that other runs do not pay for loading tsx.
 */
async function importUserFile(path: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(path).href, import.meta.url);
}

const shown = (file: string) => {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : path;
};

export function checkScenario(data: unknown, file: string): Scenario {
  const where = shown(file);
  const result = scenarioSchema.safeParse(data);
  if (!result.success) throw new FaultgateError('E_SCENARIO', `${where}: ${describeIssue(result.error)}`);
  const scenario = result.data;
  const expectedName = basename(file, extname(file));
  if (file.startsWith(scenariosDir) && scenario.name !== expectedName) {
    throw new FaultgateError('E_SCENARIO', `${where}: name: "${scenario.name}" must match the file name "${expectedName}"`);
  }
  if (scenario.router && scenario.gateway.personality !== 'edge') {
    throw new FaultgateError('E_SCENARIO', `${where}: router: Edge's Router fronts the edge personality, not ${scenario.gateway.personality}`);
  }
  // The settings are checked as the run will use them, in both modes.
  for (const realTime of [false, true]) {
    const mode = realTime ? ' (real time)' : '';
    let settings: StorySettings;
    try {
      settings = {
        gateway: personalities[scenario.gateway.personality].parseSettings(resolveDurations(scenario.gateway.settings, realTime), 'gateway.settings'),
        backend: backends[scenario.backend.name as BackendName].parseSettings(resolveDurations(scenario.backend.settings, realTime)),
        ...(scenario.relay ? { relay: { holdFinMs: resolveDuration(scenario.relay.holdFinMs, realTime) } } : {}),
        ...(scenario.router ? { router: { readTimeoutMs: resolveDuration(scenario.router.readTimeoutMs, realTime) } } : {}),
      };
    } catch (error) {
      if (isFaultgateError(error)) throw new FaultgateError('E_SCENARIO', `${where}${mode}: ${error.message}`);
      throw error;
    }
    // The story names the run's values: each of its holes must name a setting the run has.
    for (const hole of storyHoles(scenario.story)) {
      try {
        tellStory(`{${hole}}`, settings);
      } catch {
        throw new FaultgateError('E_SCENARIO', `${where}${mode}: story: {${hole}} names no setting of the ${hole.split('.')[0]}`);
      }
    }
  }
  return scenario;
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  const path = resolve(file);
  const extension = extname(path);
  let data: unknown;
  if (extension === '.ts' || extension === '.js' || extension === '.mjs') {
    if (!existsSync(path)) throw new FaultgateError('E_SCENARIO', `${shown(path)}: no such file`);
    let module: { default?: unknown };
    try {
      module = (path.startsWith(scenariosDir) ? await import(pathToFileURL(path).href) : await importUserFile(path)) as { default?: unknown };
    } catch (error) {
      const first = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 2).join(' ');
      throw new FaultgateError('E_SCENARIO', `${shown(path)}: does not load: ${first}`);
    }
    if (module.default === undefined) throw new FaultgateError('E_SCENARIO', `${shown(path)}: has no default export; export default defineScenario({ … })`);
    // Loaded as CommonJS (a file outside any ESM package), the default export arrives wrapped once more.
    const exported = module.default as { default?: unknown } | undefined;
    data = exported && typeof exported === 'object' && 'default' in exported && !('name' in exported) ? exported.default : exported;
  } else {
    data = loadConfigFile(path).data;
  }
  return checkScenario(data, path);
}

/** Every scenario of scenarios/, each failure followed by its fix, in the order of the documents. */
export async function loadScenarios(dir = scenariosDir): Promise<Scenario[]> {
  const files = readdirSync(dir)
    .filter(isScenarioFile)
    .sort();
  const scenarios = await Promise.all(files.map((name) => loadScenarioFile(resolve(dir, name))));
  const byName = new Map(scenarios.map((scenario) => [scenario.name, scenario]));
  for (const scenario of scenarios) {
    if (scenario.twin !== undefined && !byName.has(scenario.twin)) {
      throw new FaultgateError('E_SCENARIO', `${shown(resolve(dir, `${scenario.name}${scenarioExtension}`))}: twin: no scenario named "${scenario.twin}"`);
    }
  }
  const ordered: Scenario[] = [];
  const failures = scenarios
    .filter((scenario) => scenario.role === 'failure')
    .sort((a, b) => documentIds.indexOf(a.document) - documentIds.indexOf(b.document));
  for (const failure of failures) {
    ordered.push(failure);
    const fix = failure.twin === undefined ? undefined : byName.get(failure.twin);
    if (fix && !ordered.includes(fix)) ordered.push(fix);
  }
  for (const scenario of scenarios) if (!ordered.includes(scenario)) ordered.push(scenario);
  return ordered;
}

/** Picks scenarios by name ("all" for every one); an unknown name is one line listing the known ones. */
export async function selectScenarios(names: readonly string[], dir = scenariosDir): Promise<Scenario[]> {
  const isFile = (name: string) => /\.(ts|js|mjs|ya?ml|json)$/.test(name);
  const needCatalogue = names.some((name) => !isFile(name));
  const catalogue = needCatalogue ? await loadScenarios(dir) : [];
  const selected: Scenario[] = [];
  for (const name of names) {
    if (name === 'all') selected.push(...catalogue);
    else if (isFile(name)) selected.push(await loadScenarioFile(name));
    else {
      const scenario = catalogue.find((candidate) => candidate.name === name);
      if (!scenario) {
        throw new FaultgateError('E_UNKNOWN_NAME', `unknown scenario "${name}"; known: ${catalogue.map((known) => known.name).join(', ')}`);
      }
      selected.push(scenario);
    }
  }
  return selected;
}
