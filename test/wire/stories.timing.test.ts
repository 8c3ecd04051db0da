/**
 * The documents' packet stories on a real network path, repeated: each story 20 times on one
 * shared namespace (each run's target on its own port, behind its own rule), captured once for the
 * whole path and decoded once, then read run by run as a capture of that run alone would be.
 * A timing file: the handshake limit is judged to +50 ms, so nothing else shares the cores.
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

const REPETITIONS = 20;
/** runs side by side: enough to be quick, few enough that a busy machine keeps the timers honest */
const AT_ONCE = 10;

async function repeat(scenario: Scenario, path: WirePath): Promise<Evidence[]> {
  const results: Evidence[] = [];
  for (let done = 0; done < REPETITIONS; done += AT_ONCE) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, REPETITIONS - done) }, () => runScenario(scenario, { wire: path })))));
  }
  return results;
}

if (unavailable && mustRun) {
  it('wire mode runs in CI', () => {
    throw new Error(unavailable);
  });
}

describe.skipIf(unavailable !== undefined)(unavailable ? `wire mode (skipped: ${unavailable})` : 'wire mode: the documents’ packet stories, 20 of 20', () => {
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

  const stories = ['tls-handshake-timeout', 'keepalive-timeout-mismatch', 'target-premature-close'] as const;
  for (const name of stories) {
    it(`${name}: ${REPETITIONS} runs, every one the document's outcome and packet story`, async () => {
      const scenario = scenarios.find((each) => each.name === name) as Scenario;
      const file = join(folder, `${name}.pcap`);
      const capture = await path.capture(undefined, file);
      const runs = await repeat(scenario, path);
      const { unsettled } = await capture.stop(5000);
      expect(unsettled).toEqual([]);
      const ports = runs.map((evidence) => evidence.wire?.path.port ?? 0);
      const protocol = name === 'tls-handshake-timeout' ? 'https' : 'http';
      const all = await decodeCapture(file, { targetAddress: path.targetAddress, targetPorts: ports, protocol });
      const outcomes = runs.map((evidence, index) => {
        const packets = packetsOfTarget(all, ports[index] as number);
        const problems = [...evidence.problems, ...readStory(scenario.wire!.story, packets, evidence.wire!.context).problems];
        return problems.length === 0 ? 'as documented' : problems.join('; ');
      });
      expect(outcomes).toEqual(Array.from({ length: REPETITIONS }, () => 'as documented'));
    });
  }
});
