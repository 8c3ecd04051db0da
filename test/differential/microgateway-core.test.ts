/**
 * The differential suite: every case of cases.ts driven through the mimic and through the real
 * microgateway-core, for both installed releases, and the two compared field for field. The
 * mimic is set to the release under test (its `version` setting), so 3.1.6 checks the document's
 * era and 3.3.7 the current one. Cases run concurrently, each with its own backend and mimic, on
 * ephemeral loopback ports. The engines are shared: one process per release fronts every case
 * with the same settings, each under a base path of its own (its lines are told apart by their
 * `proxy` field), so the suite starts a few engines, not one per case. A case that checks the
 * document's own lines keeps an engine to itself, since the base path would show in them.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import { backendNamed } from '../../faulty-backends/index.ts';
import type { RunningBackend } from '../../faulty-backends/backend.ts';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { engineVersions, startMicrogatewayCore, type EngineVersion, type ReferenceGateway } from '../../harness/reference/microgateway-core.ts';
import type { FinDelayRelay } from '../../harness/relay/fin-delay-relay.ts';
import { differentialCases, type DifferentialCase } from './cases.ts';
import { differences } from './compare.ts';
import { idleRaceRelay, PATH, runSide, type Placement } from './sides.ts';

interface Prepared {
  backend: RunningBackend;
  /** per release: the engine side's placement (absent: the case starts an engine of its own) */
  placements: Map<EngineVersion, Placement>;
}

const prepared = new Map<DifferentialCase, Prepared>();
const closers: (() => unknown)[] = [];
const cleanup = (close: () => unknown) => void closers.push(close);

/** Cases that may share an engine: the same settings, and no check of the document's own path. */
function sharingKey(testCase: DifferentialCase): string | undefined {
  return testCase.documentLines ? undefined : JSON.stringify(testCase.settings ?? {});
}

beforeAll(async () => {
  const groups = new Map<string, DifferentialCase[]>();
  await Promise.all(
    differentialCases.map(async (testCase) => {
      const backend = await backendNamed(testCase.backend).start(testCase.backendSettings ?? {});
      cleanup(() => backend.close());
      prepared.set(testCase, { backend, placements: new Map() });
    }),
  );
  differentialCases.forEach((testCase) => {
    const key = sharingKey(testCase);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), testCase]);
  });
  const engines = [...groups.values()].flatMap((cases) => engineVersions.map((version) => ({ cases, version })));
  await Promise.all(engines.map(({ cases, version }) => startSharedEngine(cases, version)));
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(closers.reverse().map((close) => close()));
});

/** One engine for these cases on this release: a route per case, to its backend or its own relay. */
async function startSharedEngine(cases: readonly DifferentialCase[], version: EngineVersion): Promise<void> {
  const routes = await Promise.all(
    cases.map(async (testCase) => {
      const { backend } = prepared.get(testCase) as Prepared;
      const relay: FinDelayRelay | undefined = testCase.idleRace ? await idleRaceRelay(backend, cleanup) : undefined;
      const basePath = `/c${differentialCases.indexOf(testCase)}`;
      return { testCase, relay, route: { base_path: basePath, url: relay?.url ?? backend.url } };
    }),
  );
  const [first] = routes;
  if (!first) return;
  const gateway: ReferenceGateway = await startMicrogatewayCore({ version, target: first.route.url, routes: routes.map(({ route }) => route), settings: cases[0]?.settings ?? {} });
  cleanup(() => gateway.close());
  for (const { testCase, relay, route } of routes) {
    const engine = { gateway, target: route.url, ...(relay ? { relay } : {}) };
    prepared.get(testCase)?.placements.set(version, { path: `${route.base_path}${PATH}`, engine });
  }
}

describe.concurrent('microgateway-core beside the mimic', () => {
  for (const testCase of differentialCases) {
    for (const version of engineVersions) {
      test(`${testCase.name} (${version})`, async ({ expect, onTestFinished }) => {
        const { backend, placements } = prepared.get(testCase) as Prepared;
        const placement = placements.get(version);

        const [mimic, engine] = await Promise.all([
          runSide('mimic', version, testCase, backend, onTestFinished, placement ? { path: placement.path } : undefined),
          runSide('engine', version, testCase, backend, onTestFinished, placement),
        ]);

        expect(differences(version, mimic, engine)).toEqual([]);
        for (const side of [mimic, engine]) {
          if (testCase.idleRace) expect(side.first?.status, `${side.side}: the first request`).toBe(200);
          expect(side.status, side.side).toBe(testCase.status);
          expect(side.lines, side.side).toHaveLength(testCase.lines(version));
          if (testCase.elapsedMs) {
            const [from, to] = testCase.elapsedMs;
            expect(side.elapsedMs, `${side.side}: ms to the answer`).toBeGreaterThanOrEqual(from);
            expect(side.elapsedMs, `${side.side}: ms to the answer`).toBeLessThanOrEqual(to);
          }
        }
        if (testCase.documentLines?.version === version) {
          expect(engine.lines.map((line) => parseEventLogLine(line))).toMatchObject(testCase.documentLines.lines);
        }
      });
    }
  }
});
