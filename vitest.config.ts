import { defineConfig } from 'vitest/config';

/**
 * Real sockets and real timers. Timing verdicts are judged where the time is decided (the
 * gateway's own timer), which a busy machine cannot flip, so those tests run in parallel with the
 * rest. Only tests that decide races of tens of milliseconds at a client's clock, and the one that
 * loads the machine on purpose, run first, one file at a time, with nothing else on the machine's
 * two cores. Such a file is named *.timing.test.ts.
 *
 * Files share their worker process (isolate: false): each worker loads vitest, zod, pino and the
 * harness once, not once per file, which was most of the suite's time. The tests keep no state in
 * modules or in the process (every server, folder and child is the test's own and closed by it).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    isolate: false,
    // The command the tests start as a child process runs the sources compiled once (test/faultgate.js).
    globalSetup: ['test/compiled-sources.js'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'timing', include: ['test/**/*.timing.test.ts'], fileParallelism: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // Mostly waiting on sockets and timers, not computing: more files at once than cores.
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/**/*.timing.test.ts'], sequence: { groupOrder: 1 }, maxWorkers: 4 },
      },
    ],
  },
});
