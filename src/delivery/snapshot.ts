import type { EditionStore } from './edition-store.js';
import type { SubscriberStore } from '../subscribers/index.js';

export interface SnapshotDeps {
  editions: EditionStore;
  subscribers: SubscriberStore;
  /** Enqueues send-batch jobs for these batch numbers (deterministic ids: re-adding is harmless). */
  enqueue(editionId: string, batches: number[]): Promise<void>;
}

/** HSCAN page size: large enough for few round trips, small enough to keep Lua steps short. */
const PAGE = 1000;

/** One entry of a snapshot batch: the list (for the unsubscribe link) and the address. */
export function batchEntry(list: string, email: string): string {
  return `${list}\t${email}`;
}

export function parseBatchEntry(entry: string): { list: string; email: string } {
  const tab = entry.indexOf('\t');
  return { list: entry.slice(0, tab), email: entry.slice(tab + 1) };
}

/**
 * Takes the recipient snapshot: walks the lists with a cursor (never one big read), keeps
 * active, unsuppressed addresses, cuts them into batches and enqueues each batch as soon
 * as it is full, so sending starts before a million-address snapshot ends. Resumable: the
 * cursor moves in the same Redis step as the page it covered.
 */
export async function takeSnapshot(
  deps: SnapshotDeps,
  edition: { id: string; lists: string[]; batchSize: number },
): Promise<{ batches: number }> {
  const { editions, subscribers } = deps;
  const dedupe = edition.lists.length > 1;
  let pos = await editions.snapshotPosition(edition.id);
  // Another run of prepare may walk the same lists at the same time (a resume during the
  // snapshot, a job taken over while its worker still ran): a page is appended only if the
  // snapshot is still where this run read it from; if not, this run goes on from where the
  // other one got to. Every turn moves the snapshot on, by this run or by the other.
  while (!pos.done && pos.list < edition.lists.length) {
    const list = edition.lists[pos.list]!;
    const page = await subscribers.scan(list, pos.cursor, PAGE);
    const active = page.subscribers.filter((s) => s.status === 'active');
    const suppressed = active.length ? await subscribers.suppressedMany(active.map((s) => s.email)) : [];
    const recipients = active
      .filter((_, i) => !suppressed[i])
      .map((s) => ({ email: s.email, entry: batchEntry(list, s.email) }));
    const next = page.cursor === '0' ? { list: pos.list + 1, cursor: '0' } : { list: pos.list, cursor: page.cursor };
    const closed = await editions.appendSnapshot(edition.id, recipients, pos, next, edition.batchSize, dedupe);
    if (closed === null) {
      pos = await editions.snapshotPosition(edition.id);
      continue;
    }
    if (closed.length) {
      // The page must outlive a failover of the edition's primary before its batches run.
      await editions.replicated(edition.id);
      await deps.enqueue(edition.id, closed);
    }
    pos = { done: false, ...next };
  }
  const { batches } = await editions.finishSnapshot(edition.id);
  await editions.replicated(edition.id);
  // Every batch once more: covers the last, partly filled batch and any batch whose enqueue
  // was cut off by a crash. Job ids are deterministic, so queued ones are not doubled.
  if (batches > 0) await deps.enqueue(edition.id, Array.from({ length: batches }, (_, i) => i));
  return { batches };
}
