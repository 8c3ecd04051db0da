/**
 * The Microgateway document's resolution for the second cause applied: the backend is fixed and
 * answers the same request.
 */
import { defineScenario } from '../harness/runner/scenario.ts';

export default defineScenario({
  name: 'target-premature-close-fixed',
  title: 'The backend is fixed and answers: no 502',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Target server prematurely closes connection (resolved)',
  story: 'The same GET, to a backend that answers instead of closing: the target’s 200 reaches the client.',
  role: 'fix',
  twin: 'target-premature-close',
  resolution: 'Fix the issue on the backend server appropriately.',
  gateway: { personality: 'microgateway', settings: { edgemicro: { logging: { level: 'warn' } } } },
  backend: { name: 'healthy' },
  client: [{ request: { method: 'GET', path: '/emg_badtarget/flakey/hangup' } }],
  expect: { status: 200, body: '{"ok":true}', logs: [] },
});
