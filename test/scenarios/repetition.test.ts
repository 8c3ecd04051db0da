/**
 * The keep-alive race is a reproduction, not a lottery: with the target's FIN held back and the
 * second request sent the moment the target closes, the mismatch gives 502 every time and its
 * aligned twin never does, under the same timing. Runs side by side to stay fast.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';

const RUNS = 50;

async function statuses(name: string): Promise<number[]> {
  const scenario = (await loadScenarios()).find((each) => each.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const results = await Promise.all(Array.from({ length: RUNS }, () => runScenario(scenario)));
  return results.map((evidence) => evidence.response?.status ?? 0);
}

describe('the keep-alive race, repeated', () => {
  it(`keepalive-timeout-mismatch: ${RUNS} runs, ${RUNS} × 502`, async () => {
    const got = await statuses('keepalive-timeout-mismatch');
    expect(got.filter((status) => status === 502)).toHaveLength(RUNS);
  });

  it(`keepalive-timeout-aligned: ${RUNS} runs, 0 × 502`, async () => {
    const got = await statuses('keepalive-timeout-aligned');
    expect(got.filter((status) => status === 502)).toHaveLength(0);
    expect(got.filter((status) => status === 200)).toHaveLength(RUNS);
  });
});

describe('the natural race', () => {
  it('holds no FIN and sends the request on its timer alone, so the outcome is whatever the race gives', async () => {
    const scenario = (await loadScenarios()).find((each) => each.name === 'keepalive-timeout-mismatch');
    if (!scenario) throw new Error('no scenario');
    const evidence = await runScenario(scenario, { naturalRace: true });
    expect(evidence.naturalRace).toBe(true);
    expect(evidence.settings.relay).toEqual({ holdFinMs: 0 });
    expect(evidence.timeline.some((entry) => entry.kind === 'fin-held')).toBe(false);
    // Either side may win; what came back must be what the wire says happened: a 502 only on a
    // reused connection the target had closed, a 200 otherwise.
    const reused = evidence.timeline.some((entry) => entry.kind === 'socket-reused');
    if (evidence.response?.status === 502) {
      expect(reused).toBe(true);
      expect(evidence.failure).toMatchObject({ kind: 'premature-close' });
    } else {
      expect(evidence.response?.status).toBe(200);
      expect(evidence.failure).toBeUndefined();
    }
  });
});
