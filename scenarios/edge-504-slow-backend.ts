/**
 * The playbook "504 Gateway Timeout", its first cause: a slow backend server. The TargetEndpoint
 * sets io.timeout.millis below the time the target takes to answer, so the Message Processor
 * stops waiting at that limit and answers 504 GatewayTimeout.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-504-slow-backend',
  title: 'The target answers after io.timeout.millis has run out',
  document: 'edge-504-gateway-timeout',
  cause: 'Slow backend server',
  story:
    'The target takes {backend.delayMs} to answer; the Message Processor waits io.timeout.millis ({gateway.io.timeout.millis}) for the response, ' +
    'then gives up on the connection and answers 504 Gateway Timeout.',
  role: 'failure',
  twin: 'edge-504-io-timeout-raised',
  resolution: 'The I/O timeout for Message Processors can be increased or decreased from the default value of 55 seconds based on your needs.',
  resolutionFrom: 'edge-configuring-io-timeout',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 300, real: 30000 } } },
  backend: { name: 'healthy', settings: { delayMs: { test: 600, real: 40000 } } },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: {
    status: 504,
    body: '{"fault":{"faultstring":"Gateway Timeout","detail":{"errorcode":"messaging.adaptors.http.flow.GatewayTimeout"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'io-timeout',
    answeredAt: { setting: 'io.timeout.millis', toleranceMs: 250 },
    logs: [],
  },
});
