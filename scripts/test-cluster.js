#!/usr/bin/env node
// `npm run test:cluster`: build, then for a Redis Cluster (six redis-server --cluster-enabled
// yes, one replica each) and for a Sentinel set (a primary, a replica, three Sentinels), each
// started on free ports by tests/global-setup.ts and torn down after: the delivery integration
// tests, the HTTP service's, the crash scenario and the failover mid-send scenario
// (vitest.cluster.config.ts).
// `npm run test:cluster -- cluster` runs one topology only; other arguments go to vitest.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const asked = args.filter((a) => a === 'cluster' || a === 'sentinel');
const rest = args.filter((a) => a !== 'cluster' && a !== 'sentinel');
const topologies = asked.length ? asked : ['cluster', 'sentinel'];

const run = (cmd, argv, env = {}) => spawnSync(cmd, argv, { stdio: 'inherit', shell: false, env: { ...process.env, ...env } }).status ?? 1;
for (const [cmd, argv] of [['npx', ['tsc', '-p', 'tsconfig.json']], ['npx', ['tsc', '-p', 'tsconfig.tests.json']]]) {
  if (run(cmd, argv) !== 0) process.exit(1);
}
const failed = [];
for (const topology of topologies) {
  console.info(`\n[test:cluster] Redis ${topology}`);
  // REDIS_URL is the topology's own, never one from the caller's environment.
  const env = { BRIEF_TEST_TOPOLOGY: topology, REDIS_URL: '' };
  if (run('npx', ['vitest', 'run', '-c', 'vitest.cluster.config.ts', ...rest], env) !== 0) failed.push(topology);
}
if (failed.length) {
  console.error(`[test:cluster] failed on: ${failed.join(', ')}`);
  process.exit(1);
}
