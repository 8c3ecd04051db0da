/**
 * The fix of "504 Gateway Timeout" for a target that is slow by design: io.timeout.millis raised
 * above the time it takes, still below the Router's own 57 s, so the answer comes through.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-504-io-timeout-raised',
  title: 'io.timeout.millis above the target’s answer time: no 504',
  document: 'edge-504-gateway-timeout',
  cause: 'Slow backend server (resolved)',
  story:
    'The same target, {backend.delayMs} to answer, with io.timeout.millis raised to {gateway.io.timeout.millis}: ' +
    'the Message Processor is still waiting when the answer comes, and passes the 200 on.',
  role: 'fix',
  twin: 'edge-504-slow-backend',
  resolution: 'The I/O timeout for Message Processors can be increased or decreased from the default value of 55 seconds based on your needs.',
  resolutionFrom: 'edge-configuring-io-timeout',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 1500, real: 50000 } } },
  backend: { name: 'healthy', settings: { delayMs: { test: 600, real: 40000 } } },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
