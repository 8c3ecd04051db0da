#!/usr/bin/env node
// The faultgate command, run from the compiled package in dist/ (plain JavaScript, no TypeScript
// loader). npm ci, npm pack and the image build dist/ from the sources ("prepare": npm run build).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/harness/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('faultgate: dist/ is not built; run npm run build (npm ci and npm install build it)\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
