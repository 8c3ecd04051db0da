// Type-checked in the consumer project with `tsc --strict --module NodeNext` (ESM side).
import { backends, createGateway, defineScenario, loadScenarios, runScenario, type Evidence, type Gateway, type Scenario } from 'faultgate';

const backend = await backends['fin-mid-request'].start();
const gateway: Gateway = await createGateway({ personality: 'microgateway', target: backend.url, port: 0 });
gateway.on('log', (line: string) => console.log(line));
await gateway.close();
await backend.close();

const scenario: Scenario | undefined = (await loadScenarios()).find((each) => each.name === 'keepalive-timeout-mismatch');
if (scenario) {
  const evidence: Evidence = await runScenario(scenario);
  const status: number | undefined = evidence.response?.status;
  console.log(evidence.ok, status, evidence.logs.join('\n'));
}

export const mine = defineScenario({
  name: 'my-hang-up',
  title: 'The target closes the connection before it answers',
  document: 'microgateway-502-socket-hang-up',
  cause: 'Target server prematurely closes connection',
  story: 'The target reads the request and closes the connection.',
  role: 'failure',
  resolution: 'Fix the backend.',
  gateway: { personality: 'microgateway' },
  backend: { name: 'fin-mid-request' },
  client: [{ request: { method: 'GET', path: '/emg_badtarget/flakey/hangup' } }],
  expect: { status: 502, failure: 'premature-close' },
});
