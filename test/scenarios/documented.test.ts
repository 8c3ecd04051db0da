/**
 * Every documented 502, reproduced through the runner and checked field by field against the
 * documents: status, exact body, each field of each log line, and the timing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTER_504_PAGE, routerUnavailable } from '../../harness/relay/router.ts';
import { loadScenarios } from '../../harness/runner/load-scenarios.ts';
import { runScenario, type Evidence } from '../../harness/runner/run-scenario.ts';
import type { Scenario } from '../../harness/runner/scenario.ts';
import { expectDocumentLines, SOCKET_HANG_UP } from '../gateway/microgateway-document.ts';

let scenarios: Map<string, Scenario>;
beforeAll(async () => {
  scenarios = new Map((await loadScenarios()).map((scenario) => [scenario.name, scenario]));
});
const scenario = (name: string): Scenario => {
  const found = scenarios.get(name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

/** A run, with the wall-clock window its log lines must have been written in. */
async function run(name: string): Promise<{ evidence: Evidence; writtenBetween: [number, number] }> {
  const before = Date.now();
  const evidence = await runScenario(scenario(name));
  return { evidence, writtenBetween: [before, Date.now()] };
}

/** The Microgateway document's two lines, every field in its place (the shared fixture). */
function expectDocumentedMicrogatewayLines({ evidence, writtenBetween }: { evidence: Evidence; writtenBetween: [number, number] }) {
  expectDocumentLines(evidence.logs, { targetHost: evidence.endpoints.target, clientHost: new URL(evidence.endpoints.gateway).host, writtenBetween });
}

describe('the Edge document: the fix', () => {
  it('tls-handshake-completes: the same request to a target that answers the handshake gets 200 and no log line', async () => {
    const evidence = await runScenario(scenario('tls-handshake-completes'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(200);
    expect(evidence.logs).toEqual([]);
  });
});

describe('the Edge playbooks: each failure beside its fix', () => {
  it.each([
    ['edge-405-without-allow', 502, 'response-405-without-allow', 'edge-405-with-allow', 405],
    ['edge-204-with-body', 502, 'response-with-body', 'edge-204-without-body', 204],
    ['edge-504-slow-backend', 504, 'io-timeout', 'edge-504-io-timeout-raised', 200],
    ['edge-too-big-body', 502, 'response-body-too-big', 'edge-body-buffer-limit-raised', 200],
    ['edge-too-big-headers', 502, 'response-headers-too-big', 'edge-headers-limit-raised', 200],
  ])('%s answers %d (%s); %s passes the target\'s %d on', async (failureName, failureStatus, kind, fixName, fixStatus) => {
    const [failure, fix] = await Promise.all([runScenario(scenario(failureName)), runScenario(scenario(fixName))]);
    expect(failure.problems).toEqual([]);
    expect([failure.response?.status, failure.failure?.kind]).toEqual([failureStatus, kind]);
    expect(fix.problems).toEqual([]);
    expect([fix.response?.status, fix.failure]).toEqual([fixStatus, undefined]);
    // Neither client sees Edge's message id: Trace's value, in the evidence only.
    for (const evidence of [failure, fix]) {
      expect(evidence.response?.headers['x-apigee.message-id']).toBeUndefined();
      expect(evidence.messageId).toMatch(/^[0-9a-f]+-1$/);
    }
  });
});

describe('the Microgateway document: 502 socket hang up', () => {
  it('keepalive-timeout-mismatch: a reused connection meets the target’s FIN', async () => {
    const ran = await run('keepalive-timeout-mismatch');
    const { evidence } = ran;
    expect(evidence.problems).toEqual([]);
    expect(evidence.requests.map((request) => request.status)).toEqual([200, 502]);
    expect(evidence.response?.body).toBe(SOCKET_HANG_UP);
    expectDocumentedMicrogatewayLines(ran);
    expect(evidence.failure).toMatchObject({ kind: 'premature-close', phase: 'awaiting-response' });
    // The second request went out on the pooled connection, after the target's idle close.
    const kinds = evidence.timeline.map((entry) => entry.kind);
    const idleClose = kinds.indexOf('idle-close');
    expect(idleClose, 'the target closed the idle connection').toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('socket-reused', idleClose), 'the gateway reused it after that').toBeGreaterThan(idleClose);
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
    const ran = await run('target-premature-close');
    const { evidence } = ran;
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(502);
    expect(evidence.response?.body).toBe(SOCKET_HANG_UP);
    expectDocumentedMicrogatewayLines(ran);
    expect(evidence.failure).toMatchObject({ kind: 'premature-close', phase: 'awaiting-response' });
  });

  it('target-premature-close-fixed: the fixed backend answers', async () => {
    const evidence = await runScenario(scenario('target-premature-close-fixed'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.status).toBe(200);
    expect(evidence.logs).toEqual([]);
  });
});

/** The Router is a real nginx: without one here, its scenarios cannot run (CI installs nginx-light). */
describe.skipIf(routerUnavailable())('"504 Gateway timeout - Router timing out": the Router in front of the Message Processor', () => {
  it('router-timeout: io.timeout.millis above the Router’s timeout: the Router’s own 504 page, after its timeout', async () => {
    const evidence = await runScenario(scenario('router-timeout'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.response?.body).toBe(ROUTER_504_PAGE);
    expect(evidence.elapsedMs).toBeGreaterThanOrEqual(1000);
  });

  it('router-timeout-fixed: io.timeout.millis below it: the Message Processor’s 504 fault passes through the Router', async () => {
    const evidence = await runScenario(scenario('router-timeout-fixed'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.failure).toMatchObject({ kind: 'io-timeout', limit: { name: 'io', ms: 150 } });
  });
});

describe('"Antipattern: Load Balance with a single target server with MaxFailures set to a non-zero value"', () => {
  it('edge-single-target-max-failures: one 502 takes the only server out; the next request gets 503 NoActiveTargets and system.log the playbook’s line', async () => {
    const evidence = await runScenario(scenario('edge-single-target-max-failures'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.requests.map((request) => request.status)).toEqual([200, 502, 503]);
    expect(evidence.failure).toMatchObject({ kind: 'no-active-targets' });
  });

  it('edge-single-target-no-max-failures: MaxFailures 0: the 502 is answered and the next request gets 200', async () => {
    const evidence = await runScenario(scenario('edge-single-target-no-max-failures'));
    expect(evidence.problems).toEqual([]);
    expect(evidence.requests.map((request) => request.status)).toEqual([200, 502, 200]);
  });
});
