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

// The exit, as words: a vitest killed by a signal (the OOM killer, a runaway teardown) has no
// status, and "failed" alone would not say so.
const exitOf = (r) => (r.error ? `could not start (${r.error.message})` : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`);
const run = (cmd, argv, env = {}) => spawnSync(cmd, argv, { stdio: 'inherit', shell: false, env: { ...process.env, ...env } });
for (const [cmd, argv] of [['npx', ['tsc', '-p', 'tsconfig.json']], ['npx', ['tsc', '-p', 'tsconfig.tests.json']]]) {
  const r = run(cmd, argv);
  if (r.status !== 0) {
    console.error(`[test:cluster] ${cmd} ${argv.join(' ')}: ${exitOf(r)}`);
    process.exit(1);
  }
}
const failed = [];
for (const topology of topologies) {
  console.info(`\n[test:cluster] Redis ${topology}`);
  const started = Date.now();
  // REDIS_URL is the topology's own, never one from the caller's environment.
  const env = { BRIEF_TEST_TOPOLOGY: topology, REDIS_URL: '' };
  const r = run('npx', ['vitest', 'run', '-c', 'vitest.cluster.config.ts', ...rest], env);
  const took = `${((Date.now() - started) / 1000).toFixed(0)} s`;
  if (r.status === 0) console.info(`[test:cluster] Redis ${topology}: passed in ${took}`);
  else {
    // vitest names the failing tests above; a failure in the global set-up or teardown (the
    // topology would not start or stop) or a crash names none, so say what ended the run.
    console.error(`[test:cluster] Redis ${topology}: FAILED in ${took}: vitest ${exitOf(r)} (failing tests, if any, are listed above; none listed means the set-up, the teardown or the test process itself failed)`);
    failed.push(topology);
  }
}
if (failed.length) {
  console.error(`[test:cluster] failed on: ${failed.join(', ')}`);
  process.exit(1);
}
console.info(`[test:cluster] passed on: ${topologies.join(', ')}`);
