import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { compiledSources } from './test/compiled-sources.js';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The files that take longest, for what they wait on (an engine per release and rows that are
 * judged by silence, a stage of every backend behind both gateways, every compose service as a
 * process, the docs' commands, …), slowest first. They start first, so that none of them is left
 * running alone at the end. vitest orders by the durations of earlier runs when it has them; a
 * fresh clone has none, and then it starts the largest files first, which these are not.
 */
const LONGEST_FIRST = [
  'test/differential/table.test.ts',
  'test/stage/up.test.ts',
  'test/compose/compose-run.test.ts',
  'test/differential/microgateway-core.test.ts',
  'test/docs/doc-commands.test.ts',
  'test/keepalive/probe.test.ts',
  'test/wire/stories-edge.test.ts',
  'test/cli/parent-gone.test.ts',
  'test/fuzz/gateway.fuzz.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.indexOf(relative(root, file.moduleId));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    const order = (file: TestSpecification) => file.project.config.sequence.groupOrder;
    // A stable sort: the projects' order first, then these files, the rest as vitest had them.
    return (await super.sort(files)).sort((a, b) => order(a) - order(b) || rank(a) - rank(b));
  }
}

/**
 * Real sockets and real timers. Timing verdicts are judged where the time is decided (the
 * gateway's own timer, the probe's measured stalls, the packets' order), which a busy machine
 * cannot flip, so the files run in parallel, more at once than there are cores. One runs first,
 * alone: the test that loads the machine on purpose, so that the load it judges is its own.
 *
 * Files share their worker process (isolate: false): each worker loads vitest, zod, pino and the
 * harness once, not once per file, which was most of the suite's time. The tests keep no state in
 * modules or in the process (every server, folder and child is the test's own and closed by it).
 */
const LOADS_THE_MACHINE = 'test/scenarios/loaded-machine.test.ts';

const SOURCES = /^(harness|faulty-backends|scenarios)\//;

/**
 * The project's sources as the compiled tree (test/compiled-sources.js), which Node loads itself:
 * every import of a source file from a test resolves to its compiled twin under node_modules/, and
 * vitest leaves what is under node_modules/ to Node. Through vite's transform, every worker of every
 * project transformed and evaluated the same 150 modules again (vitest's summed transform time
 * 30-44 s before, 11-18 s after; import 16.7 s before, 10-13 s after). The tests still run the
 * sources as they are now: the tree is made from them when vitest starts. In watch mode vitest would not see a change to a source behind the tree, so there the
 * sources go through vite as before (vitest watches unless told `run`, in CI or without a terminal).
 */
function compiledSourcesPlugin(compiled: string): Plugin {
  return {
    name: 'faultgate-compiled-sources',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.') || importer.includes('/node_modules/')) return null;
      const path = relative(root, resolve(dirname(importer), source));
      if (!SOURCES.test(path)) return null;
      return join(compiled, path.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs'));
    },
  };
}

/**
 * Every Node process reads the certificates NODE_EXTRA_CA_CERTS names when it starts: a system
 * bundle of some 140 took 60 ms of CPU per start here (node -e 0: 0.09 s with it, 0.03 s
 * without), and the suite starts about 140 Node processes (its workers, the command, the engines,
 * the compose services). Its own servers' certificates are made at run time and nothing it runs
 * talks to anything else, so the variable is dropped for the workers and everything they start.
 */
delete process.env.NODE_EXTRA_CA_CERTS;

const runsOnce = process.argv.includes('run') || process.argv.includes('--run') || Boolean(process.env.CI) || !process.stdin.isTTY;

export default defineConfig({
  plugins: runsOnce ? [compiledSourcesPlugin(await compiledSources())] : [],
  test: {
    pool: 'forks',
    sequence: { sequencer: LongestFirst },
    isolate: false,
    // The command the tests start as a child process runs the sources compiled once (test/faultgate.js).
    globalSetup: ['test/compiled-sources.js'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'loaded', include: [LOADS_THE_MACHINE], fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // Mostly waiting on sockets and timers, not computing: more files at once than cores.
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: [LOADS_THE_MACHINE], sequence: { groupOrder: 1 }, maxWorkers: 5 },
      },
    ],
  },
});
