import type { Subscriber, SubscriberStatus } from './types.js';

/**
 * The value stored for each address in a list's members hash. A list may hold millions of
 * subscribers, so the record is compact text rather than JSON (≈ 10 bytes for a subscriber
 * with no name and no attributes):
 *
 *   <status char><createdAt base36> US [<updatedAt base36>] US [<name>] US [<attributes JSON>]
 *
 * US is U+001F (unit separator): names are cleaned of control characters and JSON escapes
 * them, so it cannot occur inside a part. Trailing empty parts are dropped, and updatedAt is
 * left out while it equals createdAt. The status is the first character so that the Lua
 * script that keeps the counters reads it with one `string.sub` (see cas-script.ts).
 */
const US = '\u001f';

export const STATUS_CHAR: Readonly<Record<SubscriberStatus, string>> = {
  active: 'a',
  unsubscribed: 'u',
  bounced: 'b',
  complained: 'c',
  pending: 'p',
};

const STATUS_OF_CHAR: Readonly<Record<string, SubscriberStatus>> = {
  a: 'active',
  u: 'unsubscribed',
  b: 'bounced',
  c: 'complained',
  p: 'pending',
};

/** The record's fields without the address (which is the hash field). */
export type SubscriberRecord = Omit<Subscriber, 'email'>;

export function packRecord(r: SubscriberRecord): string {
  // Built by hand rather than with an array and join: an import packs a record per row.
  const attrs = packAttributes(r.attributes);
  const name = r.name ?? '';
  let packed = STATUS_CHAR[r.status] + r.createdAt.toString(36);
  const updated = r.updatedAt === r.createdAt ? '' : r.updatedAt.toString(36);
  if (attrs) return packed + US + updated + US + name + US + attrs;
  if (name) return packed + US + updated + US + name;
  if (updated) packed += US + updated;
  return packed;
}

/** Sorted keys, so that equal attributes always pack to equal text ("unchanged" is a string compare). */
export function packAttributes(attributes: Record<string, string>): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return '';
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] as string) < (keys[i] as string);
  // An import builds attributes in sorted column order, so the copy is rarely needed.
  if (sorted) return JSON.stringify(attributes);
  keys.sort();
  const copy: Record<string, string> = attributeMap();
  for (const k of keys) copy[k] = attributes[k] as string;
  return JSON.stringify(copy);
}

/** The status of a packed record without unpacking the rest (send batches re-check only this). */
export function statusOfRecord(packed: string): SubscriberStatus {
  const status = STATUS_OF_CHAR[packed.charAt(0)];
  if (!status) throw new Error(`corrupt subscriber record: unknown status "${packed.charAt(0)}"`);
  return status;
}

export function unpackRecord(email: string, packed: string): Subscriber {
  const [head = '', updated = '', name = '', attrs = ''] = packed.split(US);
  const status = statusOfRecord(head);
  const createdAt = parseInt(head.slice(1), 36);
  if (!Number.isFinite(createdAt)) throw new Error(`corrupt subscriber record for ${email}: bad createdAt`);
  const subscriber: Subscriber = {
    email,
    status,
    attributes: attrs ? Object.assign(attributeMap(), JSON.parse(attrs) as Record<string, string>) : attributeMap(),
    createdAt,
    updatedAt: updated ? parseInt(updated, 36) : createdAt,
  };
  if (name) subscriber.name = name;
  return subscriber;
}

/**
 * An attribute map with no prototype: a CSV column may be named `toString`, `constructor`
 * or `__proto__`, and each must stay a plain key (never an inherited method, never a
 * prototype change).
 */
export function attributeMap(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}
