// Plain Node ESM, no loader: the README's "As a library" example, run against the installed package.
// Prints one JSON line for the consumer test to judge. argv[2]: a folder for the product log.
import { backends, createGateway } from 'faultgate';

const backend = await backends['fin-mid-request'].start();
const gateway = await createGateway({
  personality: 'microgateway',
  target: backend.url,
  port: 0,
  settings: { edgemicro: { logging: { level: 'warn', dir: process.argv[2] } } },
});
const lines = [];
gateway.on('log', (line) => lines.push(line));
const response = await fetch(`${gateway.url}/emg_badtarget/flakey/hangup`);
const body = await response.text();
await gateway.close();
await backend.close();
console.log(JSON.stringify({ status: response.status, body, lines: lines.length }));
