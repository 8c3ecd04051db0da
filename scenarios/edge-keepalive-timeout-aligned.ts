/**
 * The fix on Edge's side: keepalive.timeout.millis below the target's idle timeout, so Edge
 * retires the pooled connection first.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-keepalive-timeout-aligned',
  title: 'Edge retires idle connections before the target does: no 502',
  document: 'edge-502-unexpected-eof',
  cause: 'Incorrectly configured keep alive timeout (resolved)',
  story:
    'The same requests and pause, with keepalive.timeout.millis ({gateway.keepalive.timeout.millis}) below the target’s {backend.idleTimeoutMs}: ' +
    'Edge retires the idle connection first, so the second request gets a fresh connection and a 200.',
  role: 'fix',
  twin: 'edge-keepalive-timeout-mismatch',
  resolution: 'Set keepalive.timeout.millis in the TargetEndpoint’s HTTPTargetConnection lower than the target’s own keep-alive timeout.',
  resolutionFrom: 'harness',
  gateway: { personality: 'edge', settings: { 'keepalive.timeout.millis': { test: 100, real: 4000 } } },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path: '/v1/orders' } },
  ],
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
