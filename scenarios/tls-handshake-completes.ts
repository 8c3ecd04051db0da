/**
 * The Edge document's resolution applied: with the firewall fixed, the same request meets a target
 * that completes the TLS handshake, and the Message Processor relays its answer.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'tls-handshake-completes',
  title: 'The firewall lets the handshake through: no 502',
  document: 'edge-502-tls-handshake-timeout',
  cause: 'TLS/SSL handshake timeout (resolved)',
  story: 'The same request, to a target that answers the Client Hello: the handshake completes well within io.timeout.millis ({gateway.io.timeout.millis}) and the target’s 200 reaches the client.',
  role: 'fix',
  twin: 'tls-handshake-timeout',
  resolution: 'you need to engage your network team to identify the cause and fix the firewall restrictions.',
  gateway: { personality: 'edge', settings: { 'io.timeout.millis': { test: 1000, real: 55000 } } },
  backend: { name: 'healthy', settings: { tls: true } },
  client: [{ request: { method: 'GET', path: '/v1/orders' } }],
  // On the wire: the same path and limit as the failure, without the firewall rule.
  wire: { story: 'handshake-completes', gateway: { 'io.timeout.millis': { test: 1500, real: 55000 } } },
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
