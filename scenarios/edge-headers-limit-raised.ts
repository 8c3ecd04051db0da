/**
 * The fix of "502 Bad Gateway - TooBigHeaders" that Edge for Private Cloud documents: the Message
 * Processor's HTTPResponse.headers.limit raised above the target's header lines (30k here), so the
 * 200 and its headers come through.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-headers-limit-raised',
  title: 'HTTPResponse.headers.limit raised to 30k: no 502',
  document: 'edge-502-too-big-headers',
  cause: 'Size of headers in the response is greater than allowed limit (resolved)',
  story: 'The same GET and the same 26,000 bytes of header lines, with the Message Processor’s header limit raised to 30 KB: they fit, and the 200 is passed on.',
  role: 'fix',
  twin: 'edge-too-big-headers',
  resolution: 'For the Message Processor, which handles outgoing requests to your backend services, edit the following properties in /opt/apigee/customer/application/message-processor.properties to change these default values',
  resolutionFrom: 'edge-http-header-limits',
  gateway: { personality: 'edge', settings: { 'HTTPResponse.headers.limit': 30 * 1024 } },
  backend: { name: 'large-headers' },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  expect: { status: 200, body: 'ok', logs: [] },
});
