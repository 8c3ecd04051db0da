/**
 * A packet story repeated on one shared wire path: the runs ten at a time, the whole path captured
 * once and decoded once, then each run's packets read as its own capture would show them.
 * Resolves to one line per run: "as documented", or its problems.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario, type Evidence } from '../../harness/runner/run-scenario.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';
import { decodeCapture, packetsOfTarget } from '../../harness/wire/decode.ts';
import { openWirePath, type WirePath } from '../../harness/wire/path.ts';
import { readStory } from '../../harness/wire/stories.ts';
import { leftoversOf, mustRun, unavailable } from './helpers.ts';

export const REPETITIONS = 20;
/** runs side by side, by default: quick, and few enough that a machine busy with other tests keeps the limits on time */
const AT_ONCE = 10;

export async function repeatStory(scenario: Scenario, path: WirePath, folder: string, atOnce = AT_ONCE): Promise<{ outcomes: string[]; unsettled: string[] }> {
  const file = join(folder, `${scenario.name}.pcap`);
  const capture = await path.capture(undefined, file);
  const runs: Evidence[] = [];
  for (let done = 0; done < REPETITIONS; done += atOnce) {
    runs.push(...(await Promise.all(Array.from({ length: Math.min(atOnce, REPETITIONS - done) }, () => runScenario(scenario, { wire: path })))));
  }
  const { unsettled } = await capture.stop(5000);
  const ports = runs.map((evidence) => evidence.wire?.path.port ?? 0);
  const protocol = runs[0]?.wire?.path.protocol ?? 'http';
  const all = await decodeCapture(file, { targetAddress: path.targetAddress, targetPorts: ports, protocol });
  const outcomes = runs.map((evidence, index) => {
    const packets = packetsOfTarget(all, ports[index] as number);
    const problems = [...evidence.problems, ...readStory(scenario.wire!.story, packets, evidence.wire!.context).problems];
    return problems.length === 0 ? 'as documented' : problems.join('; ');
  });
  return { outcomes, unsettled };
}

/**
 * A suite that repeats each named scenario's packet story on one wire path it opens and closes,
 * leaving nothing of this process's behind; skipped (with the reason) where wire mode cannot run,
 * except in CI, where that is a failure.
 */
export function describeStories(title: string, names: readonly string[], atOnce = AT_ONCE): void {
  if (unavailable && mustRun) {
    it('wire mode runs in CI', () => {
      throw new Error(unavailable);
    });
  }
  describe.skipIf(unavailable !== undefined)(unavailable ? `wire mode (skipped: ${unavailable})` : `wire mode: ${title}, ${REPETITIONS} of ${REPETITIONS}`, () => {
    let path: WirePath;
    let scenarios: Scenario[];
    const folder = mkdtempSync(join(tmpdir(), 'faultgate-wire-test-'));

    beforeAll(async () => {
      [path, scenarios] = await Promise.all([openWirePath(), loadScenarios()]);
    });
    afterAll(async () => {
      await path?.close();
      rmSync(folder, { recursive: true, force: true });
      expect(leftoversOf(process.pid)).toEqual([]);
    });

    for (const name of names) {
      it(`${name}: ${REPETITIONS} runs, every one the document's outcome and packet story`, async () => {
        const { outcomes, unsettled } = await repeatStory(scenarios.find((each) => each.name === name) as Scenario, path, folder, atOnce);
        expect(unsettled).toEqual([]);
        expect(outcomes).toEqual(Array.from({ length: REPETITIONS }, () => 'as documented'));
      });
    }
  });
}
