#!/usr/bin/env node
// The faultgate command from the sources as they are now: what the tests run, so that they test
// the sources without `npm run build`. The sources are compiled once per change (compiled-sources.js),
// not loaded through a TypeScript loader at every start. The package's bin/faultgate.js runs dist/.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledSources } from './compiled-sources.js';

const { main } = await import(pathToFileURL(join(await compiledSources(), 'command', 'harness', 'cli', 'main.js')).href);
process.exitCode = await main(process.argv.slice(2));
