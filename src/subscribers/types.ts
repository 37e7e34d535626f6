/**
 * The contracts of src/subscribers: what a subscriber is, what adding one can result in,
 * and what an import reports. Implementations live in the files next to this one.
 */

/**
 * Where an address stands on one list. Only `active` addresses receive editions; `pending`
 * ones signed up on a form and have not confirmed yet (double opt-in): they get the
 * confirmation email and nothing else, and are purged after 30 days.
 */
export type SubscriberStatus = 'active' | 'unsubscribed' | 'bounced' | 'complained' | 'pending';

export const SUBSCRIBER_STATUSES: readonly SubscriberStatus[] = ['active', 'unsubscribed', 'bounced', 'complained', 'pending'];

export function isSubscriberStatus(value: string): value is SubscriberStatus {
  return (SUBSCRIBER_STATUSES as readonly string[]).includes(value);
}

export interface Subscriber {
  /** Trimmed and lower-cased; the field of the list's members hash. */
  email: string;
  /** One line (no CR/LF or control characters), at most 200 characters. */
  name?: string;
  status: SubscriberStatus;
  /** Extra CSV columns, e.g. `{ city: 'Tbilisi' }`. Empty values are not stored. */
  attributes: Record<string, string>;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last change of status, name or attributes. */
  updatedAt: number;
}

/**
 * What `add` (and each row of an import) did:
 * - `added`: a new member of the list;
 * - `updated`: an existing member whose name, attributes or status changed;
 * - `unchanged`: nothing to change;
 * - `kept-unsubscribed`: the address is unsubscribed, bounced or complained on this list
 *   and was left so (only `resubscribe` re-activates it);
 * - `suppressed`: the address is on the global suppression list and was not added as active.
 */
export type AddResult = 'added' | 'updated' | 'unchanged' | 'kept-unsubscribed' | 'suppressed';

/** Per-status counters of one list. */
export type StatusCounts = Record<SubscriberStatus, number>;

export interface SuppressionEntry {
  reason: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface ImportReport {
  /** Data rows read (blank lines and the header are not rows). Equals the sum of the other counts. */
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  keptUnsubscribed: number;
  suppressed: number;
  /** Rows whose address already appeared earlier in the same file (the first one wins). */
  duplicates: number;
  /** The first 20 invalid rows, with the file's line number where the row starts. */
  invalid: Array<{ line: number; reason: string }>;
  invalidCount: number;
}
