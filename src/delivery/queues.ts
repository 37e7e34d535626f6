/**
 * Queue and job names. Payloads carry ids only; handlers re-read state from Redis.
 * BullMQ job ids may not contain ":", and edition ids never do.
 */
export const EDITIONS_QUEUE = 'editions';
export const BATCH_QUEUE = 'send-batch';

export const PREPARE_JOB = 'prepare-edition';
export const SCHEDULED_JOB = 'scheduled-edition';
/** At an occurrence minus `approvalLeadMinutes`: compile the edition into awaiting-approval. */
export const APPROVAL_JOB = 'approval-edition';
export const BATCH_JOB = 'send-batch';

export interface PrepareJobData {
  editionId?: string;
  /** Set on jobs made by a newsletter's Job Scheduler. */
  newsletter?: string;
}

export interface BatchJobData {
  editionId: string;
  batch: number;
}

export const prepareJobId = (editionId: string) => `prepare-${editionId}`;
export const batchJobId = (editionId: string, batch: number, resume = 0) =>
  resume ? `${editionId}-b${batch}-r${resume}` : `${editionId}-b${batch}`;
export const schedulerId = (newsletterId: string) => `edition-${newsletterId}`;

/**
 * Confirmation and welcome emails (and the hourly purge of stale signups): a queue of its
 * own with its own workers, so a signup during a million-recipient send is not queued
 * behind the send's batches.
 */
export const TRANSACTIONAL_QUEUE = 'transactional';
export const TRANSACTIONAL_JOB = 'transactional-email';
export const PURGE_JOB = 'purge-signups';

/** `confirm`: id is the signup's nonce; `welcome`: id is a mail ticket's id. */
export interface TransactionalJobData {
  /** `approval`: id is an edition id; its newsletter's approvers are told it awaits approval. */
  kind: 'confirm' | 'welcome' | 'approval';
  id: string;
}
