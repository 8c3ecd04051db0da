/**
 * The Microgateway document's first cause: the target closes idle keep-alive connections after 5 s
 * (Node's default), Microgateway keeps them for as long as the operating system does, and a request
 * sent on a pooled connection just as the target closes it meets the FIN: "socket hang up".
 * The FIN-delay relay holds the target's FIN back so the request always lands inside that window.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

const path = '/emg_badtarget/flakey/hangup';

export default defineScenario({
  name: 'keepalive-timeout-mismatch',
  title: 'The target closes an idle keep-alive connection as Microgateway reuses it',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Incorrectly configured keep-alive timeout',
  story:
    'A first request leaves a pooled connection to the target; after {backend.idleTimeoutMs} idle the target closes it, and ' +
    'Microgateway, which keeps idle target connections until the target closes them, sends the next request on it as the FIN arrives: 502 socket hang up.',
  role: 'failure',
  twin: 'keepalive-timeout-aligned',
  resolution:
    'Ensure that the keep-alive timeout property is always lower on the operating system where Edge Microgateway is running compared to that on the backend server.',
  gateway: { personality: 'microgateway', settings: { edgemicro: { logging: { level: 'warn' } } } },
  backend: { name: 'idle-closer', settings: { idleTimeoutMs: { test: 300, real: 5000 } } },
  relay: { holdFinMs: { test: 500, real: 1000 } },
  client: [
    { request: { method: 'GET', path, expectStatus: 200 } },
    { idle: { ms: { test: 300, real: 5000 }, untilTargetCloses: true } },
    { request: { method: 'GET', path } },
  ],
  wire: { story: 'keepalive-race' },
  expect: {
    status: 502,
    body: '{"message":"socket hang up","code":"ECONNRESET"}',
    failure: 'premature-close',
    logs: [
      '{time} [warn][{target}][{pid}][myorg][test][emg_badtarget/flakey/hangup][][][{uuid}][plugins-middleware][targetRequest error][GET][][socket hang up][ECONNRESET][{duration}]',
      '{time} [error][{gateway}][{pid}][myorg][test][emg_badtarget/flakey/hangup][][][{uuid}][microgateway-core][][GET][502][socket hang up][ECONNRESET][]',
    ],
  },
});
