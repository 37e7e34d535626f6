import calculateSlot from 'cluster-key-slot';
import type { RedisClient } from './connect.js';

/** How long the replica count of a node is trusted before it is asked again. */
const RECHECK_MS = 5000;

/**
 * Waits for replication where a lost write would cost more than a round trip: Redis
 * replicates asynchronously, so a primary that dies just after acknowledging a write loses
 * it when its replica is promoted. `after(key)` resolves once the primary holding `key` has
 * passed every write made so far to at least one replica (`WAIT 1`, bounded by
 * `timeoutMs`), and at once when that primary has no replica (one server).
 */
export class ReplicaWait {
  /** Replica count per Cluster slot (slot 0 for one server or Sentinel), with when it was read. */
  private readonly seen = new Map<number, { replicas: number; at: number }>();

  constructor(private readonly redis: RedisClient, private readonly timeoutMs = 2000) {}

  async after(key: string): Promise<void> {
    const slot = (this.redis as { isCluster?: boolean }).isCluster ? calculateSlot(key) : 0;
    const now = Date.now();
    let entry = this.seen.get(slot);
    if (!entry || now - entry.at > RECHECK_MS) {
      // A pipeline goes to the node that holds its keys: INFO and WAIT run on key's primary.
      const res = await this.redis.pipeline().exists(key).info('replication').exec();
      const info = String(res?.[1]?.[1] ?? '');
      entry = { replicas: Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0), at: now };
      this.seen.set(slot, entry);
    }
    if (entry.replicas === 0) return;
    // WAIT blocks this connection (shared by the whole process) until a replica has the
    // writes: well under a millisecond with a healthy replica, `timeoutMs` at worst.
    const res = await this.redis.pipeline().exists(key).call('WAIT', '1', String(this.timeoutMs)).exec();
    // No replica answered (it died, or this is a freshly promoted primary): ask again next time.
    if (Number(res?.[1]?.[1] ?? 0) < 1) this.seen.delete(slot);
  }
}
