/**
 * src/subscribers — lists, subscribers and the global suppression list in Redis, and
 * streaming CSV import/export. Every write of a subscriber record goes through one
 * compare-and-set Lua script that keeps the list's per-status counters exact.
 */
export type {
  AddResult,
  ImportReport,
  StatusCounts,
  Subscriber,
  SubscriberStatus,
  SuppressionEntry,
} from './types.js';
export { SUBSCRIBER_STATUSES, isSubscriberStatus } from './types.js';
export { normaliseAddress } from './normalise-address.js';
export { cleanName, cleanLine, MAX_NAME } from './clean-text.js';
export { packRecord, unpackRecord, statusOfRecord, type SubscriberRecord } from './pack-record.js';
export { assertListId } from './list-id.js';
export {
  SubscriberStore,
  type SubscriberStoreOptions,
  type SubscriberInput,
  type UpsertOptions,
} from './subscriber-store.js';
export { importCsv, MAX_INVALID_LISTED, type ImportOptions } from './import-csv.js';
export { exportCsv, type ExportOptions } from './export-csv.js';
export { FingerprintSet } from './fingerprint-set.js';
export { ConsentStore, type ConsentRecord, type ConsentSource } from './consent-store.js';
