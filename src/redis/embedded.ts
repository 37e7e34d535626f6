import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BriefError } from '../errors.js';
import { redisAnswers } from './connect.js';

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default (DESIGN.md): with no REDIS_URL and nothing answering on
 * 127.0.0.1:6379, `brief start` and `brief worker` run a private redis-server with its data
 * in `dataDir` and AOF on (so a restart of the process loses no edition state), and stop it
 * on exit.
 */
export async function startEmbeddedRedis(dataDir: string, port = 6379): Promise<EmbeddedRedis> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new BriefError(
      'EREDIS',
      'no Redis at 127.0.0.1:6379 and no redis-server installed: install it (apt-get install redis-server, brew install redis) or set REDIS_URL',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.resolve(dataDir), '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction', '--logfile', 'redis.log'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new BriefError('EREDIS', `the embedded redis-server did not start (see ${path.join(dataDir, 'redis.log')})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
