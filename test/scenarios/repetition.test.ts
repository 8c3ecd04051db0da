/**
 * The keep-alive race is a reproduction, not a lottery: with the target's FIN held back and the
 * second request sent the moment the target closes, the mismatch gives 502 every time and its
 * aligned twin never does, under the same timing. Runs side by side to stay fast.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { resolveDuration } from '../../harness/runner/duration.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';
import type { TraceEvent } from '../../harness/trace.ts';

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

  // Every hop shares one event loop. Held up (without spending CPU) from just after the client's
  // first answer until both the target's idle timer and the client's pause are due, the two fire
  // in one turn: the target closes, the client's request reaches the gateway in the same poll as
  // the FIN, and the gateway reuses the connection. This is why the natural count swings with the
  // machine's load, and why the harness holds the FIN instead.
  it(`a held-up event loop: both timers fire in one turn and the request crosses the FIN, ${HELD_RUNS} runs, ${HELD_RUNS} × 502`, async () => {
    const scenario = (await loadScenarios()).find((each) => each.name === 'keepalive-timeout-mismatch');
    if (!scenario) throw new Error('no scenario');
    const outcomes: string[] = [];
    for (let run = 0; run < HELD_RUNS; run++) {
      const evidence = await runScenario(scenario, { naturalRace: true, onTrace: holdLoopAfterFirstAnswer(scenario) });
      const reused = evidence.timeline.some((entry) => entry.kind === 'socket-reused');
      outcomes.push(`${evidence.response?.status ?? 'none'}${reused ? ' reused' : ''} ${evidence.failure?.kind ?? ''}`.trim());
    }
    expect(outcomes).toEqual(Array.from({ length: HELD_RUNS }, () => '502 reused premature-close'));
  });
});

const HELD_RUNS = 6;

/**
 * A trace sink that, once the client has read its first answer and so armed its pause, blocks the
 * thread (Atomics.wait: no CPU spent) until both timers are past due, with 100 ms to spare.
 */
function holdLoopAfterFirstAnswer(scenario: Scenario): (event: TraceEvent) => void {
  const idleMs = Math.max(...scenario.client.map((step) => ('idle' in step ? resolveDuration(step.idle.ms, false) : 0)));
  let held = false;
  return (event) => {
    if (held || event.source !== 'client' || event.kind !== 'response-received') return;
    held = true;
    const until = event.at + idleMs + 100;
    // Two turns later the client's response has ended and its pause timer is armed.
    setImmediate(() => setImmediate(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, until - performance.now()))));
  };
}
