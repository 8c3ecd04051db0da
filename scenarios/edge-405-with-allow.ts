/**
 * The fix of "502 Bad Gateway - Response 405 without Allow Header": the target's 405 lists the
 * methods it allows, as HTTP requires, and Edge passes the 405 on to the client.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'edge-405-with-allow',
  title: 'The target’s 405 carries its Allow header: no 502',
  document: 'edge-502-response-405-without-allow',
  cause: '405 response without Allow header from backend server (resolved)',
  story: 'The same DELETE; the target’s 405 now lists the methods it allows in an Allow header, so the Message Processor passes the 405 on to the client.',
  role: 'fix',
  twin: 'edge-405-without-allow',
  resolution:
    'The recommended solution to address this error is to fix the backend server to adhere to the specification RFC 7231, section 6.5.5: 405 Method Not Allowed ' +
    'or use the fault handling to respond back with HTTP status code 405 Method Not Allowed including the Allow header as explained in the troubleshooting playbook ' +
    '502 Bad Gateway - Response 405 without Allow header.',
  resolutionFrom: 'edge-ignore-allow-header-405',
  gateway: { personality: 'edge' },
  backend: { name: 'method-not-allowed', settings: { sendAllow: true } },
  client: [{ request: { method: 'DELETE', path: '/v1/orders/42' } }],
  expect: {
    status: 405,
    body: '{"error":"method not allowed"}',
    headers: { allow: 'GET, POST, HEAD' },
    logs: [],
  },
});
