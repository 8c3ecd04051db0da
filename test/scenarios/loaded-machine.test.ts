/**
 * Verdicts a busy machine cannot flip. Other processes keep both cores busy (as on a shared CI
 * machine, or a trainer's laptop driving a projector) while every scenario runs 10 times side by
 * side: all of them must still come out as their documents say. And the timing verdict must still
 * fail a 502 that came for the wrong reason, or before the limit could have run out.
 *
 * It loads the machine on purpose, so it runs first and alone (vitest.config.ts): the other files'
 * own load is theirs, not this test's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';
import { judgeTiming } from '../../harness/runner/timing-verdict.ts';

const RUNS = 10;
/** One more busy process than there are cores here, so the scheduler always has someone waiting. */
const BUSY_PROCESSES = 3;

let busy: ChildProcess[] = [];

beforeAll(async () => {
  busy = Array.from({ length: BUSY_PROCESSES }, () => spawn(process.execPath, ['-e', 'process.stdout.write("busy\\n"); for (;;);'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  // Busy from the first test on: each has started its loop.
  await Promise.all(busy.map((child) => once(child.stdout as NodeJS.ReadableStream, 'data')));
});

afterAll(async () => {
  await Promise.all(
    busy.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }),
  );
});

async function scenarioNamed(name: string): Promise<Scenario> {
  const scenario = (await loadScenarios()).find((each) => each.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
}

describe(`with ${BUSY_PROCESSES} other processes keeping both cores busy`, () => {
  it(`every timing scenario, ${RUNS} times side by side, comes out as its document says`, async () => {
    // A scenario whose verdict hangs on time: an answer at a limit, an idle pause, a held FIN.
    const timed = (await loadScenarios()).filter((scenario) => scenario.expect.answeredAt || scenario.relay || scenario.client.some((step) => 'idle' in step));
    expect(timed.map((scenario) => scenario.name)).toContain('tls-handshake-timeout');
    const failed: string[] = [];
    const tenAtOnce = async (scenario: Scenario) => {
      // Ten at once: the gateway's timers fire in a crowd, on a loaded machine.
      const runs = await Promise.all(Array.from({ length: RUNS }, () => runScenario(scenario)));
      for (const evidence of runs) if (!evidence.ok) failed.push(`${scenario.name}: ${evidence.problems.join('; ')}`);
    };
    // All at once: every scenario's ten runs side by side with every other's, so the timers fire
    // among the others' traffic, and the file takes the longest scenario's time, not the sum.
    await Promise.all(timed.map(tenAtOnce));
    expect(busy.every((child) => child.exitCode === null)).toBe(true);
    expect(failed).toEqual([]);
  });

  it('a 502 with the right body that no limit decided still fails the handshake scenario', async () => {
    const scenario = await scenarioNamed('tls-handshake-timeout');
    // A plain-HTTP target that answers with bytes that are not HTTP: Edge's answer is the same 502
    // and fault JSON, at once, for another reason. The classifier's kind is left unchecked, so the
    // timing verdict alone must catch it.
    const { failure: _kind, ...expectWithoutKind } = scenario.expect;
    const wrongReason: Scenario = { ...scenario, backend: { name: 'not-http', settings: {} }, expect: expectWithoutKind };
    const evidence = await runScenario(wrongReason);
    expect(evidence.response?.status).toBe(502);
    expect(evidence.response?.body).toBe(scenario.expect.body);
    expect(evidence.ok).toBe(false);
    expect(evidence.problems).toContainEqual(expect.stringMatching(/^expected the answer to be decided by io\.timeout\.millis \(1000 ms\), but no gateway limit fired/));
    expect(evidence.problems).toContainEqual(expect.stringMatching(/before io\.timeout\.millis \(1000 ms\) could have run out$/));
  });
});

describe('the timing verdict, on evidence given to it', () => {
  const answeredAt = { setting: 'io.timeout.millis', toleranceMs: 250 };
  const handshake = (firedAfterMs: number, ms = 1000) => ({ kind: 'handshake-timeout', description: 'the handshake was abandoned', limit: { name: 'handshake', ms, firedAfterMs } });

  it('accepts what a busy machine adds around the limit, a timer held up past the tolerance included', () => {
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 1251, failure: handshake(1054) })).toEqual([]);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 1600, failure: handshake(1500) })).toEqual([]);
  });

  it('fails a refused connection, a limit armed with another value, a timer that ran out early, and answers far too early or late', () => {
    const refused = { kind: 'connect-refused', description: 'nothing listens on the target port' };
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 1010, failure: refused })).toEqual([
      'expected the answer to be decided by io.timeout.millis (1000 ms), but no gateway limit fired: nothing listens on the target port',
    ]);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 3010, failure: handshake(3001, 3000) })[0]).toMatch(/armed with 3000 ms, but io\.timeout\.millis is 1000 ms$/);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 1010, failure: handshake(990) })[0]).toMatch(/fired after 990 ms, before its value$/);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 400 })[0]).toMatch(/before io\.timeout\.millis \(1000 ms\) could have run out$/);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 2400 })[0]).toMatch(/far later than io\.timeout\.millis \(1000 ms; at most 2250 ms allowed\)$/);
  });

  it("reads the gateway's own clock when it recorded its answer: the way back to a crowded client does not count, a late or early answer does", () => {
    const answeredAfter = (elapsedMs: number, firedAfterMs = 1004) => ({ ...handshake(firedAfterMs), elapsedMs });
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 2392, failure: answeredAfter(1012) })).toEqual([]);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 2500, failure: answeredAfter(2400) })).toEqual([
      'the gateway answered 2400 ms after the request, far later than io.timeout.millis (1000 ms; at most 2250 ms allowed)',
    ]);
    expect(judgeTiming(answeredAt, 1000, { clientElapsedMs: 1100, failure: { kind: 'connect-refused', description: 'refused', elapsedMs: 3 } })).toContainEqual(
      'the gateway answered 3 ms after the request, before io.timeout.millis (1000 ms) could have run out',
    );
  });
});
