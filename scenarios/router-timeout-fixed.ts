/**
 * The fix: io.timeout.millis below the Router's timeout, so the Message Processor times out first
 * and its own 504 fault passes through the Router to the client.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'router-timeout-fixed',
  title: 'io.timeout.millis below the Router’s timeout: the Message Processor’s 504 fault reaches the client',
  document: 'edge-504-router-timeout',
  cause: 'The Router times out before the Message Processor answers (resolved)',
  story:
    'The same silent target, with io.timeout.millis ({gateway.io.timeout.millis}) below the Router’s timeout ({router.readTimeoutMs}): ' +
    'the Message Processor gives up first and answers 504 GatewayTimeout, which the Router passes on unchanged.',
  role: 'fix',
  twin: 'router-timeout',
  resolution: 'For Private Cloud customers, this value should be less than the timeout used by the Router for communicating with the Message Processor.',
  resolutionFrom: 'edge-endpoint-properties-reference',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 150, real: 55000 } } },
  backend: { name: 'never-respond' },
  // The Router's clock starts when it has sent the request on; the Message Processor's only once it
  // has read it and connected to the target. On a busy machine (40 runs at once, both cores taken)
  // that took more than 250 ms, so the short Router timeout leaves the Message Processor 850 ms.
  router: { readTimeoutMs: { test: 1000, real: 57000 } },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: {
    status: 504,
    body: '{"fault":{"faultstring":"Gateway Timeout","detail":{"errorcode":"messaging.adaptors.http.flow.GatewayTimeout"}}}',
    headers: { 'content-type': 'application/json' },
    logs: [],
    failure: 'io-timeout',
    answeredAt: { setting: 'io.timeout.millis', toleranceMs: 200 },
  },
});
