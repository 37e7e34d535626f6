import type { RedisClient } from './connect.js';

/**
 * Waits for replication where a lost write would cost more than a round trip: Redis
 * replicates asynchronously, so a primary that dies just after acknowledging a write loses
 * it when its replica is promoted. `after(key)` resolves once the primary holding `key` has
 * passed every write made so far to at least one replica (`WAIT 1`, bounded by
 * `timeoutMs`), and at once when that primary has no replica (one server, or a primary
 * just promoted whose old one is gone).
 */
export class ReplicaWait {
  constructor(private readonly redis: RedisClient, private readonly timeoutMs = 2000) {}

  async after(key: string): Promise<void> {
    // A pipeline goes to the node that holds its keys: INFO and WAIT run on key's primary.
    // INFO every time, not a remembered count: a WAIT for a replica that is gone would
    // hold the connection for the whole timeout.
    const res = await this.redis.pipeline().exists(key).info('replication').exec();
    const info = String(res?.[1]?.[1] ?? '');
    if (Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0) === 0) return;
    // WAIT blocks this connection (shared by the whole process) until a replica has the
    // writes: well under a millisecond with a healthy replica, `timeoutMs` at worst.
    await this.redis.pipeline().exists(key).call('WAIT', '1', String(this.timeoutMs)).exec();
  }
}
