/**
 * The Microgateway document's two packet stories on a real network path, each repeated 20 times
 * (see repeat.ts). No limit is judged to the millisecond here, so they run beside other files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';
import { openWirePath, type WirePath } from '../../harness/wire/path.ts';
import { leftoversOf, mustRun, unavailable } from './helpers.ts';
import { REPETITIONS, repeatStory } from './repeat.ts';

if (unavailable && mustRun) {
  it('wire mode runs in CI', () => {
    throw new Error(unavailable);
  });
}

describe.skipIf(unavailable !== undefined)(unavailable ? `wire mode (skipped: ${unavailable})` : 'wire mode: the Microgateway packet stories, 20 of 20', () => {
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

  for (const name of ['keepalive-timeout-mismatch', 'target-premature-close']) {
    it(`${name}: ${REPETITIONS} runs, every one the document's outcome and packet story`, async () => {
      const { outcomes, unsettled } = await repeatStory(scenarios.find((each) => each.name === name) as Scenario, path, folder);
      expect(unsettled).toEqual([]);
      expect(outcomes).toEqual(Array.from({ length: REPETITIONS }, () => 'as documented'));
    });
  }
});

