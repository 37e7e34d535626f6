#!/usr/bin/env node
// `npm run test:mta`: installs Debian's postfix when it is missing (apt-get, as root), builds
// (the test runs the built `brief inbound`), then runs tests/mta/*.mta.ts, which start a
// private Postfix instance of their own (tests/mta/private-postfix.ts). The system's Postfix
// service, if any, is neither started nor reconfigured.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const run = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false, env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync('/usr/sbin/postfix')) {
  if (process.getuid?.() !== 0) {
    console.error('test:mta: postfix is not installed and this is not root: run `sudo apt-get install postfix` first');
    process.exit(1);
  }
  console.error('test:mta: installing Debian\'s postfix (no configuration, no service start)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // "No configuration": the package's own instance stays unconfigured and is not started.
  spawnSync('sh', ['-c', 'echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections'], { stdio: 'inherit', env });
  run('apt-get', ['install', '-y', '--no-install-recommends', 'postfix'], env);
}
if (process.getuid?.() !== 0) {
  console.error('test:mta: a private Postfix master must start as root (it drops to the postfix user); run as root');
  process.exit(1);
}
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['vitest', 'run', '-c', 'vitest.mta.config.ts', ...process.argv.slice(2)]);
