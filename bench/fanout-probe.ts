/**
 * Fan-out with nothing else running: the real snapshot (takeSnapshot) and the real enqueue
 * (EditionService.enqueueBatches) of a probe edition over a list, in this process, into a
 * queue no worker reads. Inside `brief worker` the same step shares one event loop with the
 * batches it has already enqueued, so it takes longer there; this is its own cost.
 */
import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { loadConfig } from '../src/config/load.js';
import { EditionService } from '../src/delivery/edition-service.js';
import { EditionStore } from '../src/delivery/edition-store.js';
import { takeSnapshot } from '../src/delivery/snapshot.js';
import { makeKeys } from '../src/keys.js';
import { silentLogger } from '../src/logger.js';
import { createRedis } from '../src/redis/connect.js';
import { SubscriberStore } from '../src/subscribers/index.js';
import { EDITION_DATE, PUBLIC_URL } from './setup.js';

export async function probeFanOut(o: { redisUrl: string; prefix: string; configFile: string; list: string; batchSize: number }): Promise<{ ms: number; batches: number }> {
  const redis = createRedis(o.redisUrl);
  const keys = makeKeys(o.prefix);
  const connection = redis as unknown as ConnectionOptions;
  const editions = new EditionStore({ redis, keys });
  const subscribers = new SubscriberStore({ redis, keys });
  const batchQueue = new Queue('fanout-probe', { connection, prefix: keys.queuePrefix() });
  const editionsQueue = new Queue('fanout-probe-editions', { connection, prefix: keys.queuePrefix() });
  const service = new EditionService({
    config: loadConfig(o.configFile), redis, keys, editions, subscribers, editionsQueue, batchQueue,
    publicUrl: PUBLIC_URL, logger: silentLogger(),
  });
  try {
    const newsletter = `probe${Math.random().toString(36).slice(2, 8)}`;
    const id = `${newsletter}-${EDITION_DATE}`;
    await editions.create(id, newsletter, EDITION_DATE);
    const t0 = performance.now();
    const { batches } = await takeSnapshot(
      { editions, subscribers, enqueue: (eid, ns) => service.enqueueBatches(eid, ns) },
      { id, lists: [o.list], batchSize: o.batchSize },
    );
    return { ms: Math.round(performance.now() - t0), batches };
  } finally {
    await Promise.allSettled([batchQueue.close(), editionsQueue.close()]);
    await redis.quit();
  }
}
