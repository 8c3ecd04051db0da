/**
 * `faultgate run … --gateway microgateway-core@3.1.6`: the document's scenarios run through the
 * real engine, judged by the same expectations, from the command line.
 */
import { expect, it } from 'vitest';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { runCli } from '../helpers.ts';

it('runs the Microgateway document’s scenarios through microgateway-core 3.1.6 and gets its payload and lines', async () => {
  const result = await runCli(['run', 'keepalive-timeout-mismatch', 'target-premature-close', '--gateway', 'microgateway-core@3.1.6', '--json']);
  expect(result.code).toBe(0);
  const runs = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { scenario: string; ok: boolean; gateway: string; response: { status: number; body: string }; logs: string[] });
  expect(runs.map((run) => [run.scenario, run.gateway, run.ok])).toEqual([
    ['keepalive-timeout-mismatch', 'microgateway-core@3.1.6', true],
    ['target-premature-close', 'microgateway-core@3.1.6', true],
  ]);
  for (const run of runs) {
    expect(run.response).toEqual({ ...run.response, status: 502, body: '{"message":"socket hang up","code":"ECONNRESET"}' });
    expect(run.logs.map((line) => [parseEventLogLine(line)?.level, parseEventLogLine(line)?.component])).toEqual([
      ['warn', 'plugins-middleware'],
      ['error', 'microgateway-core'],
    ]);
  }
});

it('refuses, in one line, a scenario the engine cannot run', async () => {
  const result = await runCli(['run', 'keepalive-timeout-aligned', '--gateway', 'microgateway-core']);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe('faultgate: --gateway microgateway-core@3.1.6 cannot run keepalive-timeout-aligned: it sets target_idle_timeout, which the engine has no setting for\n');
});
