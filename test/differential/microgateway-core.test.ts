/**
 * The differential suite: every case of cases.ts driven through the mimic and through the real
 * microgateway-core, for both installed releases, and the two compared field for field. The
 * mimic is set to the release under test (its `version` setting), so 3.1.6 checks the document's
 * era and 3.3.7 the current one. Cases run concurrently: each owns its backend, gateways and
 * engine process, all on ephemeral loopback ports; both releases of a case are queued side by side
 * and the cases that wait on a timer first.
 */
import { describe, test } from 'vitest';
import { backendNamed } from '../../faulty-backends/index.ts';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { engineVersions } from '../../harness/reference/microgateway-core.ts';
import { differentialCases } from './cases.ts';
import { differences } from './compare.ts';
import { runSide } from './sides.ts';

describe.concurrent('microgateway-core beside the mimic', () => {
  for (const testCase of differentialCases) {
    for (const version of engineVersions) {
      test(`${testCase.name} (${version})`, async ({ expect, onTestFinished }) => {
        const definition = backendNamed(testCase.backend);
        const backend = await definition.start(testCase.backendSettings ?? {});
        onTestFinished(() => backend.close());

        const [mimic, engine] = await Promise.all([
          runSide('mimic', version, testCase, backend, onTestFinished),
          runSide('engine', version, testCase, backend, onTestFinished),
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
