// A scenario of the user's, in TypeScript, loaded by the installed command: npx faultgate run ./my-scenario.ts
import { defineScenario } from 'faultgate';

export default defineScenario({
  name: 'my-hang-up',
  title: 'The target closes the connection before it answers',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Target server prematurely closes connection',
  story: 'The target reads the request and closes the connection.',
  role: 'failure',
  resolution: 'Fix the backend.',
  gateway: { personality: 'microgateway', settings: { edgemicro: { logging: { level: 'warn' } } } },
  backend: { name: 'fin-mid-request' },
  client: [{ request: { method: 'GET', path: '/emg_badtarget/flakey/hangup' } }],
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
