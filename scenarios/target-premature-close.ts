/**
 * The Microgateway document's second cause: the target reads the request and closes the
 * connection (FIN) without answering, as in the document's capture (GET, ACK, FIN).
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'target-premature-close',
  title: 'The target closes the connection before it answers',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Target server prematurely closes connection',
  story: 'Microgateway sends the GET; the target acknowledges it and sends FIN instead of a response: 502 socket hang up.',
  role: 'failure',
  twin: 'target-premature-close-fixed',
  resolution: 'Fix the issue on the backend server appropriately.',
  gateway: { personality: 'microgateway', settings: { edgemicro: { logging: { level: 'warn' } } } },
  backend: { name: 'fin-mid-request' },
  client: [{ request: { method: 'GET', path: '/emg_badtarget/flakey/hangup' } }],
  wire: { story: 'premature-close' },
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
