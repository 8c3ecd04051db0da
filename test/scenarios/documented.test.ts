/**
 * Every documented 502, reproduced through the runner and checked field by field against the
 * documents: status, exact body, each field of each log line, and the timing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEventLogLine } from '../../harness/gateway/microgateway.ts';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario } from '../../harness/runner/run-scenario.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';

let scenarios: Map<string, Scenario>;
beforeAll(async () => {
  scenarios = new Map((await loadScenarios()).map((scenario) => [scenario.name, scenario]));
});
const scenario = (name: string): Scenario => {
  const found = scenarios.get(name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

const SOCKET_HANG_UP = '{"message":"socket hang up","code":"ECONNRESET"}';

/** The Microgateway document's two lines, field by field (volatile fields by shape). */
function expectDocumentedMicrogatewayLines(logs: string[], gatewayHost: string, targetHost: string) {
  expect(logs).toHaveLength(2);
  const [warn, error] = logs.map((line) => parseEventLogLine(line));
  expect(warn).toMatchObject({
    level: 'warn',
    org: 'myorg',
    env: 'test',
    proxy: 'emg_badtarget/flakey/hangup',
    clientIp: '',
    clientId: '',
    component: 'plugins-middleware',
    message: 'targetRequest error',
    method: 'GET',
    status: '',
    errorMessage: 'socket hang up',
    errorCode: 'ECONNRESET',
  });
  expect(warn?.host).toBe(targetHost);
  expect(warn?.durationMs).toMatch(/^\d*$/);
  expect(error).toMatchObject({
    level: 'error',
    host: gatewayHost,
    org: 'myorg',
    env: 'test',
    proxy: 'emg_badtarget/flakey/hangup',
    clientIp: '',
    clientId: '',
    component: 'microgateway-core',
    message: '',
    method: 'GET',
    status: '502',
    errorMessage: 'socket hang up',
    errorCode: 'ECONNRESET',
    durationMs: '',
  });
  for (const line of [warn, error]) {
    expect(line?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line?.pid).toMatch(/^\d+$/);
    expect(line?.correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }
  expect(warn?.correlationId).toBe(error?.correlationId);
}

describe('the Edge document: the fix', () => {
  it('tls-handshake-completes: the same request to a target that answers the handshake gets 200 and no log line', async () => {
    const evidence = await runScenario(scenario('tls-handshake-completes'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(200);
    expect(evidence.logs).toEqual([]);
  });
});

describe('the Microgateway document: 502 socket hang up', () => {
  it('keepalive-timeout-mismatch: a reused connection meets the target’s FIN', async () => {
    const evidence = await runScenario(scenario('keepalive-timeout-mismatch'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.requests.map((request) => request.status)).toEqual([200, 502]);
    expect(evidence.response?.body).toBe(SOCKET_HANG_UP);
    expectDocumentedMicrogatewayLines(evidence.logs, new URL(evidence.endpoints.gateway).host, evidence.endpoints.target);
    expect(evidence.failure).toMatchObject({ kind: 'premature-close', phase: 'awaiting-response' });
    // The second request went out on the pooled connection, after the target's idle close.
    const kinds = evidence.timeline.map((entry) => entry.kind);
    expect(kinds.indexOf('idle-close')).toBeLessThan(kinds.indexOf('socket-reused'));
  });

  it('keepalive-timeout-aligned: the same traffic, with the gateway retiring first, gets 200', async () => {
    const evidence = await runScenario(scenario('keepalive-timeout-aligned'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.requests.map((request) => request.status)).toEqual([200, 200]);
    expect(evidence.logs).toEqual([]);
    expect(evidence.timeline.some((entry) => entry.kind === 'idle-retired')).toBe(true);
    expect(evidence.timeline.some((entry) => entry.kind === 'socket-reused')).toBe(false);
  });

  it('target-premature-close: FIN after the request head', async () => {
    const evidence = await runScenario(scenario('target-premature-close'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(502);
    expect(evidence.response?.body).toBe(SOCKET_HANG_UP);
    expectDocumentedMicrogatewayLines(evidence.logs, new URL(evidence.endpoints.gateway).host, evidence.endpoints.target);
    expect(evidence.failure).toMatchObject({ kind: 'premature-close', phase: 'awaiting-response' });
  });

  it('target-premature-close-fixed: the fixed backend answers', async () => {
    const evidence = await runScenario(scenario('target-premature-close-fixed'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(200);
    expect(evidence.logs).toEqual([]);
  });
});
