import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets and real timers: files run in parallel processes, tests in a file one by one.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
