#!/usr/bin/env node
// The faultgate command as it ran before the package was compiled: the TypeScript sources through
// tsx's loader. The baseline of the CLI start-up figure in bench/README.md.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
