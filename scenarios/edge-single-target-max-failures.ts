/**
 * Apigee's antipattern: a LoadBalancer with one TargetServer and MaxFailures above 0. One failed
 * request (here the keep-alive race's 502) takes the only server out of rotation, and with no
 * HealthMonitor nothing puts it back: every later request gets 503 NoActiveTargets, although the
 * target answers again.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-single-target-max-failures',
  title: 'One TargetServer with MaxFailures: one failure takes it out, then 503 NoActiveTargets',
  document: 'edge-antipattern-load-balancing-maxfailures',
  cause: 'Load Balance with a single target server with MaxFailures set to a non-zero value',
  story:
    'The only TargetServer closes an idle pooled connection after {backend.idleTimeoutMs}; the next request meets the closed connection (502), ' +
    'which reaches MaxFailures (1) and takes the server out of rotation; with no HealthMonitor nothing puts it back, so the request after that gets 503 NoActiveTargets though the target would answer.',
  role: 'failure',
  twin: 'edge-single-target-no-max-failures',
  resolution: 'With a single TargetServer, leave MaxFailures at 0 (or add a HealthMonitor that puts the server back): a failed request is then answered, and the next one goes to the server again.',
  resolutionFrom: 'harness',
  gateway: { personality: 'edge', settings: { TargetServers: { target1: {} }, LoadBalancer: { Server: ['target1'], MaxFailures: 1 } } },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 502 } },
    { request: { method: 'GET', path: '/v1/orders' } },
  ],
  expect: {
    status: 503,
    body: '{"fault":{"faultstring":"The Service is temporarily unavailable","detail":{"errorcode":"messaging.adaptors.http.flow.NoActiveTargets"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'no-active-targets',
    logs: ['Apigee-Timer-7 WARN  ADAPTORS.HTTP.FLOW - LBServer.incrementFailureCount() : Max failure count(1) reached for server : target1{Environment=myorg__test,Application=faultgate__1,Target=default}'],
  },
});
