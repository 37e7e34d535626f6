import { BriefError } from '../errors.js';
import { assertCalendarDate } from './calendar-date.js';

/**
 * Mirrors the newsletter id rule in src/config/schema.ts. Edition ids become BullMQ job
 * ids, which must not contain ":" (BullMQ uses it to separate key parts), and Redis keys.
 */
const newsletterIdPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const editionIdPattern = /^(.+)-(\d{4}-\d{2}-\d{2})$/;

/** "daily-2025-09-05": one edition per newsletter and date, whoever asks for it. */
export function editionId(newsletterId: string, date: string): string {
  if (!newsletterIdPattern.test(newsletterId)) {
    throw new BriefError(
      'EINPUT',
      `${JSON.stringify(newsletterId)} is not a newsletter id (lower-case letters, digits, "-" or "_"; no ":")`,
    );
  }
  assertCalendarDate(date);
  return `${newsletterId}-${date}`;
}

/**
 * Splits an edition id back into newsletter and date. The date is always the last ten
 * characters, so a newsletter id may itself contain "-" and digits ("my-news_letter-2").
 */
export function parseEditionId(id: string): { newsletter: string; date: string } {
  const match = editionIdPattern.exec(id);
  const newsletter = match?.[1];
  const date = match?.[2];
  if (newsletter === undefined || date === undefined || !newsletterIdPattern.test(newsletter)) {
    throw new BriefError('EINPUT', `${JSON.stringify(id)} is not an edition id (NEWSLETTER-YYYY-MM-DD, e.g. daily-2025-09-05)`);
  }
  assertCalendarDate(date);
  return { newsletter, date };
}
