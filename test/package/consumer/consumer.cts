// Type-checked in the consumer project with `tsc --strict --module NodeNext` (CommonJS side).
import faultgate = require('faultgate');

export async function hangUp(): Promise<number> {
  const backend = await faultgate.backends['fin-mid-request'].start();
  const gateway: faultgate.Gateway = await faultgate.createGateway({ personality: 'microgateway', target: backend.url, port: 0 });
  const response = await fetch(`${gateway.url}/`);
  await gateway.close();
  await backend.close();
  return response.status;
}

export function isMine(error: unknown): error is faultgate.FaultgateError {
  return faultgate.isFaultgateError(error);
}
