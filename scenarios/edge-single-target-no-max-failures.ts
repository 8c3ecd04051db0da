/**
 * The fix of the antipattern: the single TargetServer with MaxFailures 0 stays in rotation; the
 * keep-alive race still costs one 502, and the next request goes to the server again.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-single-target-no-max-failures',
  title: 'One TargetServer with MaxFailures 0: a failure is answered, the next request is served',
  document: 'edge-antipattern-load-balancing-maxfailures',
  cause: 'Load Balance with a single target server with MaxFailures set to a non-zero value (resolved)',
  story:
    'The same traffic, with MaxFailures left at 0: the request that meets the connection the target closed after {backend.idleTimeoutMs} still gets its 502, ' +
    'but the server stays in rotation and the next request gets a fresh connection and a 200.',
  role: 'fix',
  twin: 'edge-single-target-max-failures',
  resolution: 'With a single TargetServer, leave MaxFailures at 0 (or add a HealthMonitor that puts the server back): a failed request is then answered, and the next one goes to the server again.',
  resolutionFrom: 'harness',
  gateway: { personality: 'edge', settings: { TargetServers: { target1: {} }, LoadBalancer: { Server: ['target1'] } } },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 502 } },
    { request: { method: 'GET', path: '/v1/orders' } },
  ],
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
