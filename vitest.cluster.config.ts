import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster` (scripts/test-cluster.js runs it once per topology, with
 * BRIEF_TEST_TOPOLOGY=cluster, then sentinel): the delivery integration tests and the crash
 * scenario against a real local Redis Cluster or Sentinel set that tests/global-setup.ts
 * starts (and the HTTP service's), and the failover mid-send scenario, which starts a fresh one of its own to kill.
 * One file at a time: several clusters and worker processes on two cores would starve each other.
 */
export default defineConfig({
  test: {
    include: [
      'tests/delivery/**/*.test.ts',
      // The HTTP service (unsubscribe, archive, metrics, API, readiness) on the same Redis.
      'tests/http/unsubscribe-archive-metrics.test.ts',
      'tests/http/api-and-operators.test.ts',
      'tests/chaos/crash.test.ts',
      'tests/chaos/failover.cluster.ts',
    ],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['tests/global-setup.ts'],
  },
});
