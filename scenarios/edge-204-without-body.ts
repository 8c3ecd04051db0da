/**
 * The fix of "502 Bad Gateway - ResponseWithBody": the target's 204 carries no body and no
 * Content-Length, as HTTP requires, and Edge passes the 204 on to the client.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-204-without-body',
  title: 'The target’s 204 carries no body: no 502',
  document: 'edge-502-response-with-body',
  cause: 'The response from the backend server is 204 No Content but contains a response body and a Content-Length (resolved)',
  story: 'The same PUT; the target’s 204 now has no body and no Content-Length, so the Message Processor passes the 204 on to the client.',
  role: 'fix',
  twin: 'edge-204-with-body',
  resolution:
    'As per the specifications RFC 7231, section 6.3.5: 204 No Content and RFC 7231, section 6.3.6: 205 Reset Content, it is expected that no additional content ' +
    'should be sent as part of the response payload body with status code 204 No Content or 205 Reset Content by the origin server.',
  gateway: { personality: 'edge' },
  backend: { name: 'no-content-with-body', settings: { body: '' } },
  client: [{ request: { method: 'PUT', path: '/v1/orders/42', headers: { 'content-type': 'application/json' }, body: '{"status":"shipped"}' } }],
  expect: { status: 204, body: '', logs: [] },
});
