import { createHash } from 'node:crypto';
import type { NewsletterConfig } from '../config/schema.js';
import { stringsFor } from '../i18n/index.js';
import type { ConsentRecord } from '../subscribers/index.js';

/**
 * A signup waiting for its confirmation, kept under its nonce (`signupOffers`) until the
 * link is used or the purge drops it. It holds the consent as given on the form; the
 * consent record of each list is written from it when the address confirms.
 */
export interface SignupOffer {
  nonce: string;
  newsletter: string;
  email: string;
  name?: string;
  lists: string[];
  /** Epoch ms when the confirmation link stops working. */
  expires: number;
  consent: ConsentRecord;
}

/** A welcome email to send (`mailTickets`); the job carries only its id. */
export interface MailTicket {
  newsletter: string;
  email: string;
  lists: string[];
  at: number;
}

/** The lists of a newsletter as a reader knows them: the title, and the list ids when it has several. */
export function listLabels(n: NewsletterConfig, lists: readonly string[]): string {
  return n.lists.length > 1 ? `${n.title} (${lists.join(', ')})` : n.title;
}

/**
 * The version of the words a person agreed to: a hash of the consent text and button of the
 * form in the newsletter's language (with its overrides), so changing the wording changes
 * the version that later consent records carry, and old records keep theirs.
 */
export function wordingVersion(n: NewsletterConfig): string {
  const s = stringsFor(n.locale, n.strings);
  const consent = n.signup.doubleOptIn ? s['page.signup.consent'] : s['page.signup.consentNoConfirm'];
  const text = [n.id, consent, s['page.signup.button']].join('\n');
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
