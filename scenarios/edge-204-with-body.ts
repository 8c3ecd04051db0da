/**
 * The playbook "502 Bad Gateway - ResponseWithBody": the target answers 204 No Content and yet
 * sends a body with a Content-Length, so the Message Processor answers 502 ResponseWithBody.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-204-with-body',
  title: 'The target answers 204 No Content with a body',
  document: 'edge-502-response-with-body',
  cause: 'The response from the backend server is 204 No Content but contains a response body and a Content-Length',
  story:
    'The client sends a PUT; the target answers 204 No Content and sends a body with a Content-Length anyway, ' +
    'and the Message Processor refuses that response and answers 502 Bad Gateway.',
  role: 'failure',
  twin: 'edge-204-without-body',
  resolution:
    'As per the specifications RFC 7231, section 6.3.5: 204 No Content and RFC 7231, section 6.3.6: 205 Reset Content, it is expected that no additional content ' +
    'should be sent as part of the response payload body with status code 204 No Content or 205 Reset Content by the origin server.',
  gateway: { personality: 'edge' },
  backend: { name: 'no-content-with-body' },
  client: [{ request: { method: 'PUT', path: '/v1/orders/42', headers: { 'content-type': 'application/json' }, body: '{"status":"shipped"}' } }],
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"Received 204 Response with message body","detail":{"errorcode":"protocol.http.ResponseWithBody"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'response-with-body',
    logs: [],
  },
});
