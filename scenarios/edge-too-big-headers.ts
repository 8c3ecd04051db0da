/**
 * The playbook "502 Bad Gateway - TooBigHeaders": the target's response headers come to more than
 * the Message Processor's limit (HTTPResponse.headers.limit, 25k: 25,600 bytes), so Edge answers
 * 502 TooBigHeaders instead. 26,000 bytes here, past Node's own 16 KiB as well.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-too-big-headers',
  title: 'The target answers with 26,000 bytes of headers',
  document: 'edge-502-too-big-headers',
  cause: 'Size of headers in the response is greater than allowed limit',
  story:
    'The client sends a GET; the target answers 200 with 26,000 bytes of header lines, ' +
    'past the Message Processor’s 25,600, which refuses the response and answers 502 Bad Gateway.',
  role: 'failure',
  twin: 'edge-headers-limit-raised',
  resolution: 'For the Message Processor, which handles outgoing requests to your backend services, edit the following properties in /opt/apigee/customer/application/message-processor.properties to change these default values',
  resolutionFrom: 'edge-http-header-limits',
  gateway: { personality: 'edge' },
  backend: { name: 'large-headers' },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"response headers size exceeding 25,600","detail":{"errorcode":"protocol.http.TooBigHeaders"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'response-headers-too-big',
    logs: [],
  },
});
