#!/usr/bin/env node
// `npm test`: build (type-checks, and the CLI tests run the built `brief`), type-check the
// tests too (vitest only strips types), then every test
// with vitest. Redis comes from REDIS_URL or a throwaway redis-server that
// tests/global-setup.ts starts on a free port.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['tsc', '-p', 'tsconfig.tests.json']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
