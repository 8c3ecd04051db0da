/**
 * Edge's Router (a real nginx) gives up on the Message Processor before the Message Processor gives
 * up on the target: the client gets the Router's own 504 page, not a fault JSON.
 */
import { ROUTER_504_PAGE } from '../harness/relay/router.ts';
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'router-timeout',
  title: 'The Router times out before the Message Processor: 504 with the Router’s HTML page',
  document: 'edge-504-router-timeout',
  cause: 'The Router times out before the Message Processor answers (io.timeout.millis above the Router’s timeout)',
  story:
    'The target never answers. io.timeout.millis ({gateway.io.timeout.millis}) is longer than the Router’s timeout ({router.readTimeoutMs}), ' +
    'so the Router gives up first and answers 504 Gateway Time-out with its own HTML page; the Message Processor’s fault never reaches the client.',
  role: 'failure',
  twin: 'router-timeout-fixed',
  resolution: 'For Private Cloud customers, this value should be less than the timeout used by the Router for communicating with the Message Processor.',
  resolutionFrom: 'edge-endpoint-properties-reference',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 1500, real: 60000 } } },
  backend: { name: 'never-respond' },
  router: { readTimeoutMs: { test: 1000, real: 57000 } },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: { status: 504, body: ROUTER_504_PAGE, headers: { 'content-type': 'text/html' }, logs: [] },
});
