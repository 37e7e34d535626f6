/**
 * Hard or soft, from an RFC 3463 status code (`5.1.1`) and, when the status is missing or
 * only says "5.0.0", the text of the diagnostic. Pure, so the table is pinned by unit tests.
 *
 * - hard: the address will not take mail (5.x.x: unknown user 5.1.1, 5.1.10 null MX, bad
 *   domain 5.1.2, disabled mailbox 5.2.1, …): suppressed at once, as a 5xx from the relay is.
 * - soft: it may take mail later (4.x.x; and the 5.x.x that describe the mailbox or the
 *   message rather than the address: 5.2.2 mailbox full, 5.2.3 and 5.3.4 message too big,
 *   5.4.7 delivery time expired): counted, and suppressed after `bounces.softLimit` of them.
 */
export type BounceClass = 'hard' | 'soft';

const SOFT_PERMANENT = new Set(['5.2.2', '5.2.3', '5.3.4', '5.4.7']);

const STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const SMTP_CODE = /\b([45])[0-5]\d\b/;
const SOFT_WORDS = /mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage|try again later|temporar(il)?y/i;
const HARD_WORDS = /user unknown|unknown user|no such (user|recipient|mailbox)|does not exist|doesn't exist|invalid (recipient|mailbox|address)|mailbox unavailable|address rejected|not found|no mailbox|account (has been )?disabled/i;

/** The first RFC 3463 status code in a text, e.g. "5.1.1", or undefined. */
export function findStatus(text: string | undefined): string | undefined {
  const m = text ? STATUS.exec(text) : null;
  return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : undefined;
}

/** Classifies a failed delivery; 2.x.x (delivered) is not a bounce: null. */
export function classifyBounce(status: string | undefined, diagnostic?: string): { kind: BounceClass; status: string } | null {
  let code = findStatus(status);
  // "5.0.0" says only "failed": the diagnostic often says more (e.g. "550 5.1.1 user unknown").
  if (!code || /^[45]\.0\.0$/.test(code)) code = findStatus(diagnostic) ?? code;
  if (code?.startsWith('2.')) return null;
  if (code?.startsWith('4.')) return { kind: 'soft', status: code };
  if (code && SOFT_PERMANENT.has(code)) return { kind: 'soft', status: code };
  if (code && code !== '5.0.0') return { kind: 'hard', status: code };
  // No usable status: an SMTP reply code or the words of the diagnostic decide.
  const text = diagnostic ?? '';
  if (SOFT_WORDS.test(text)) return { kind: 'soft', status: code ?? '4.0.0' };
  const smtp = SMTP_CODE.exec(text);
  if (smtp?.[1] === '4') return { kind: 'soft', status: '4.0.0' };
  if (smtp?.[1] === '5' || HARD_WORDS.test(text)) return { kind: 'hard', status: code ?? '5.0.0' };
  // A failure we cannot read is counted, not taken as final: a few of them still suppress.
  return { kind: code === '5.0.0' ? 'hard' : 'soft', status: code ?? '4.0.0' };
}
