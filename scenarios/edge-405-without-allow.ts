/**
 * The playbook "502 Bad Gateway - Response 405 without Allow Header": the target refuses the
 * request's method with a 405 but sends no Allow header, which HTTP requires of a 405, so the
 * Message Processor refuses the response and answers 502 Response405WithoutAllowHeader.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-405-without-allow',
  title: 'The target answers 405 without an Allow header',
  document: 'edge-502-response-405-without-allow',
  cause: '405 response without Allow header from backend server',
  story:
    'The client sends a DELETE that the target does not allow; the target answers 405 Method Not Allowed without the Allow header that HTTP requires, ' +
    'and the Message Processor refuses that response and answers 502 Bad Gateway.',
  role: 'failure',
  twin: 'edge-405-with-allow',
  resolution:
    'The recommended solution to address this error is to fix the backend server to adhere to the specification RFC 7231, section 6.5.5: 405 Method Not Allowed ' +
    'or use the fault handling to respond back with HTTP status code 405 Method Not Allowed including the Allow header as explained in the troubleshooting playbook ' +
    '502 Bad Gateway - Response 405 without Allow header.',
  resolutionFrom: 'edge-ignore-allow-header-405',
  gateway: { personality: 'edge' },
  backend: { name: 'method-not-allowed' },
  client: [{ request: { method: 'DELETE', path: '/v1/orders/42' } }],
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"Received 405 Response without Allow Header","detail":{"errorcode":"protocol.http.Response405WithoutAllowHeader"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'response-405-without-allow',
    logs: [],
  },
});
