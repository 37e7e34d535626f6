import { defineConfig } from 'vitest/config';

/**
 * `npm run test:mta`: delivery through a real MTA — a private Postfix on loopback relays an
 * edition, bounces the unknown recipients, and its DSNs come back to `brief inbound`
 * (tests/mta/*.mta.ts). scripts/test-mta.js installs Debian's postfix first when missing.
 */
export default defineConfig({
  test: {
    include: ['tests/mta/**/*.mta.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['tests/global-setup.ts'],
  },
});
