/**
 * The playbook "502 Bad Gateway - TooBigBody", its first cause: the target's response payload is
 * past the Message Processor's limit (HTTPResponse.body.buffer.limit, 10 MB by default), so Edge,
 * which buffers the payload, answers 502 TooBigBody instead.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-too-big-body',
  title: 'The target answers with a payload past 10 MB',
  document: 'edge-502-too-big-body',
  cause: 'Response payload size is greater than allowed limit',
  story:
    'The client sends a GET; the target answers 200 with a payload of 10 MB and one byte, its Content-Length saying so, ' +
    'past the Message Processor’s 10 MB buffer, which refuses it and answers 502 Bad Gateway.',
  role: 'failure',
  twin: 'edge-body-buffer-limit-raised',
  resolution: 'Use the following properties to change the limits on the Router, Message Processor, or both.',
  resolutionFrom: 'edge-message-size-limit',
  gateway: { personality: 'edge' },
  backend: { name: 'large-body' },
  client: [{ request: { method: 'GET', path: '/v1/reports/2026' } }],
  expect: {
    status: 502,
    body: '{"fault":{"faultstring":"Body buffer overflow","detail":{"errorcode":"protocol.http.TooBigBody"}}}',
    headers: { 'content-type': 'application/json' },
    failure: 'response-body-too-big',
    logs: [],
  },
});
