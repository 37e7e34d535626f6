import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the reliability suites at full size (tests/chaos/*.chaos.ts) and the
 * bad-input corpus. The same scenarios run at CI size inside `npm test` (tests/chaos/*.test.ts).
 * One file at a time: they kill processes and restart Redis, and their timings are the figures
 * the suite reports.
 */
export default defineConfig({
  test: {
    include: ['tests/chaos/**/*.chaos.ts', 'tests/chaos/bad-input.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['tests/global-setup.ts'],
  },
});
