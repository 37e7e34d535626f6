import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BriefError } from '../errors.js';
import { startRedisServer } from './redis-server.js';

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
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  try {
    const server = await startRedisServer({ port, dir, appendonly: true, appendfsync: 'everysec', logfile: 'redis.log' });
    return { url: server.url, stop: server.stop };
  } catch (err) {
    throw new BriefError('EREDIS', `the embedded redis-server did not start (see ${path.join(dir, 'redis.log')}): ${(err as Error).message}`);
  }
}
