/** Counts of an edition's recipients, as the ledger reports them. */
export interface EditionProgressInput {
  /** Recipients in the snapshot. */
  total: number;
  /** Accepted by the SMTP relay. */
  sent: number;
  /** Gave up after the last attempt (temporary failures that never cleared). */
  failed: number;
  /** 5xx reply: the address is now suppressed. */
  suppressed: number;
  /** Unsubscribed or suppressed before their batch was sent. */
  skipped: number;
  /** When the send started (ms since epoch); absent before it starts. */
  startedAt?: number;
  /** The current time (ms since epoch), passed in so the maths stays pure. */
  now: number;
}

export interface EditionProgress {
  /** Recipients settled one way or another: sent + failed + suppressed + skipped. */
  done: number;
  remaining: number;
  /** 0–100, floored to one decimal so it shows 100 only when every recipient is done. */
  percent: number;
  /** Recipients settled per second since the start; 0 before the start. */
  ratePerSecond: number;
  /** Seconds left at the current rate, rounded up; 0 when done; null while unknown. */
  etaSeconds: number | null;
}

/**
 * How far an edition's send got and how long it has left.
 * @throws RangeError when a count is negative or not finite: a caller bug, not a state.
 */
export function editionProgress(input: EditionProgressInput): EditionProgress {
  const { total, sent, failed, suppressed, skipped, startedAt, now } = input;
  for (const [name, value] of Object.entries({ total, sent, failed, suppressed, skipped, now })) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`editionProgress: ${name} must be a finite number >= 0, got ${value}`);
  }
  // A recipient recorded twice by a retried batch must not push progress past the total.
  const done = Math.min(total, sent + failed + suppressed + skipped);
  const remaining = total - done;
  const percent = total === 0 ? 100 : Math.floor((done * 1000) / total) / 10;
  const elapsedSeconds = startedAt === undefined ? 0 : (now - startedAt) / 1000;
  const ratePerSecond = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const etaSeconds = remaining === 0 ? 0 : ratePerSecond > 0 ? Math.ceil(remaining / ratePerSecond) : null;
  return { done, remaining, percent, ratePerSecond, etaSeconds };
}
