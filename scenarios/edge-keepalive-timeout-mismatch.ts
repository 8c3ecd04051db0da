/**
 * The keep-alive race on Edge's side: Edge keeps idle target connections for
 * keepalive.timeout.millis (60 s); a target that closes sooner meets a reused connection, and
 * the Message Processor answers 502 Unexpected EOF at target.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-keepalive-timeout-mismatch',
  title: 'Edge reuses a keep-alive connection the target has just closed',
  document: 'edge-502-unexpected-eof',
  cause: 'Incorrectly configured keep alive timeout',
  story:
    'A first request leaves a pooled connection; the target closes it after {backend.idleTimeoutMs} idle while Edge would keep it ' +
    '{gateway.keepalive.timeout.millis} (keepalive.timeout.millis), and the next request, sent on it as the FIN arrives, ends in 502 Unexpected EOF at target.',
  role: 'failure',
  twin: 'edge-keepalive-timeout-aligned',
  resolution: 'Set keepalive.timeout.millis in the TargetEndpoint’s HTTPTargetConnection lower than the target’s own keep-alive timeout.',
  resolutionFrom: 'harness',
  gateway: { personality: 'edge' },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path: '/v1/orders', expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path: '/v1/orders' } },
  ],
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"Unexpected EOF at target","detail":{"errorcode":"messaging.adaptors.http.UnexpectedEOFAtTarget"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'premature-close',
    logs: [],
  },
});
