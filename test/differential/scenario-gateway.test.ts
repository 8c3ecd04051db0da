/**
 * A Microgateway scenario run through the real engine (`--gateway microgateway-core@…`): the same
 * scenario file, the same expectations. 3.1.6 is the document's release, so the document's lines
 * must come out of it; 3.3.7 writes `targetRequest error` at [error] with the client ip filled,
 * so the same expectations must catch it.
 */
import { describe, expect, test } from 'vitest';
import { referenceStarter } from '../../harness/reference/scenario-gateway.ts';
import { selectScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';

describe.concurrent('scenarios through microgateway-core', () => {
  test('target-premature-close meets the document on 3.1.6', async () => {
    const [scenario] = await selectScenarios(['target-premature-close']);
    const evidence = await runScenario(scenario!, { gateway: referenceStarter('3.1.6') });
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(502);
    expect(evidence.logs).toHaveLength(2);
  });

  test("target-premature-close on 3.3.7 is judged against the document's 3.1.6 lines, and differs", async () => {
    const [scenario] = await selectScenarios(['target-premature-close']);
    const evidence = await runScenario(scenario!, { gateway: referenceStarter('3.3.7') });
    expect(evidence.response?.body).toBe('{"message":"socket hang up","code":"ECONNRESET"}');
    expect(evidence.ok).toBe(false);
    expect(evidence.problems.join('\n')).toMatch(/got +\S+ \[error\]\[127\.0\.0\.1:\d+\]\[\d+\]\[myorg\]\[test\]\[emg_badtarget\/flakey\/hangup\]\[127\.0\.0\.1\]/);
  });

  test('an Edge scenario is refused in one line', async () => {
    await expect(referenceStarter('3.1.6').start({ personality: 'edge', target: 'http://127.0.0.1:9', settings: {}, trace: () => {} })).rejects.toThrow(
      /^--gateway microgateway-core@3\.1\.6 runs Microgateway scenarios; this one is for edge, run it without --gateway$/,
    );
  });
});
