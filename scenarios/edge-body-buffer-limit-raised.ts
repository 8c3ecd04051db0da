/**
 * The fix of "502 Bad Gateway - TooBigBody" that Edge for Private Cloud documents: the Message
 * Processor's HTTPResponse.body.buffer.limit raised to 15m (the page's own example), above the
 * target's payload, so the 200 and its 10 MB come through.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-body-buffer-limit-raised',
  title: 'HTTPResponse.body.buffer.limit raised to 15m: no 502',
  document: 'edge-502-too-big-body',
  cause: 'Response payload size is greater than allowed limit (resolved)',
  story: 'The same GET and the same 10 MB and one byte, with the Message Processor’s response buffer limit raised to 15 MB: the payload fits, and the 200 is passed on.',
  role: 'fix',
  twin: 'edge-too-big-body',
  resolution: 'Use the following properties to change the limits on the Router, Message Processor, or both.',
  resolutionFrom: 'edge-message-size-limit',
  gateway: { personality: 'edge', settings: { 'HTTPResponse.body.buffer.limit': 15 * 1024 * 1024 } },
  backend: { name: 'large-body' },
  client: [{ request: { method: 'GET', path: '/v1/reports/2026' } }],
  expect: { status: 200, headers: { 'content-length': String(10 * 1024 * 1024 + 1) }, logs: [] },
});
