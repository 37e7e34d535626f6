import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Integration tests each use their own key prefix, so files may run in parallel.
    fileParallelism: true,
    globalSetup: ['tests/global-setup.ts'],
  },
});
