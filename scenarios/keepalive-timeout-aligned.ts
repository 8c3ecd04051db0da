/**
 * The Microgateway document's resolution applied: Microgateway retires idle connections to the
 * target before the target does, so the same traffic, at the same moment, goes out on a fresh
 * connection.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

const path = '/emg_badtarget/flakey/hangup';

export default defineScenario({
  name: 'keepalive-timeout-aligned',
  title: 'Microgateway retires idle connections before the target does: no 502',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Incorrectly configured keep-alive timeout (resolved)',
  story:
    'The same two requests and the same pause, but Microgateway closes its idle connection to the target after {gateway.target_idle_timeout}, ' +
    'before the target’s {backend.idleTimeoutMs}, so the second request opens a new connection and gets the target’s 200.',
  role: 'fix',
  twin: 'keepalive-timeout-mismatch',
  resolution:
    'Configure an appropriate value for the keep-alive timeout property in the operating system, such that the keep-alive timeout property is lower than the value set on the backend server.',
  gateway: {
    personality: 'microgateway',
    settings: { edgemicro: { logging: { level: 'warn' } }, target_idle_timeout: { test: 100, real: 4000 } },
  },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path, expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path } },
  ],
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
