#!/usr/bin/env node
// The faultgate command from the TypeScript sources, through tsx: what the tests run, so that they
// test the sources as they are, without a build. The package's bin/faultgate.js runs dist/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
