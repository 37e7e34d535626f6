import type { App } from '../wiring.js';
import type { Logger } from '../logger.js';
import type { BriefConfig } from '../config/schema.js';
import { BriefError } from '../errors.js';
import { parseEditionId } from '../edition/index.js';
import { makeToken, verifyToken, type TokenAction, type TokenPayload } from '../delivery/tokens.js';
import type { SubscriberStatus } from '../subscribers/index.js';

/**
 * What a subscriber can do with a signed link, apart from any page: read and check the token,
 * leave a list, rejoin one. The routes in subscriber-routes.ts only present the outcomes.
 */

/** Verifies a link's token and that it was made for this page (an /u/ token is not a /p/ one). */
export async function readToken(app: App, raw: string, want: TokenAction): Promise<TokenPayload> {
  const payload = verifyToken(await app.secret(), raw);
  if (payload.action !== want) throw new BriefError('ETOKEN', 'this link is not valid here');
  return payload;
}

/** A preferences link for the same address and list (offered after an unsubscribe). */
export async function preferencesToken(app: App, p: TokenPayload): Promise<string> {
  return makeToken(await app.secret(), { ...p, action: 'preferences' });
}

/**
 * The newsletter a token's unsubscribe is counted for: the one of its edition, or (test sends
 * and links made elsewhere carry no regular edition id) the first that mails the list.
 */
export function newsletterOf(config: BriefConfig, p: Pick<TokenPayload, 'edition' | 'list'>): string {
  try {
    const { newsletter } = parseEditionId(p.edition);
    if (config.newsletters.some((n) => n.id === newsletter)) return newsletter;
  } catch {
    // not a regular edition id; fall through
  }
  return config.newsletters.find((n) => n.lists.includes(p.list))?.id ?? 'unknown';
}

/** The lists a preferences page offers: every list of the newsletters that mail `list`. */
export function relatedLists(config: BriefConfig, list: string): string[] {
  const out = new Set<string>([list]);
  for (const n of config.newsletters) if (n.lists.includes(list)) for (const l of n.lists) out.add(l);
  return [...out];
}

/** How a list is named to a reader: the newsletter's title, plus the list id when it has several. */
export function listLabel(config: BriefConfig, list: string): string {
  const titles = config.newsletters
    .filter((n) => n.lists.includes(list))
    .map((n) => (n.lists.length > 1 ? `${n.title} (${list})` : n.title));
  return titles.length ? [...new Set(titles)].join(', ') : list;
}

export type LeaveOutcome = 'unsubscribed' | 'already' | 'not-on-list';

/**
 * Unsubscribes at once, so the later batches of a running send skip the address. Only an
 * active address changes: a bounced or complained one is already not mailed, and keeping
 * that status keeps the reason. Counts the unsubscribe once, when the status changed.
 */
export async function leave(
  app: App,
  p: Pick<TokenPayload, 'list' | 'email' | 'edition'>,
  log: Pick<Logger, 'info'> = app.logger,
): Promise<LeaveOutcome> {
  const current = await app.subscribers.get(p.list, p.email);
  if (!current) return 'not-on-list';
  if (current.status !== 'active') return 'already';
  // setStatus is a compare-and-set: of two concurrent clicks only one sees "active" before.
  const previous = await app.subscribers.setStatus(p.list, p.email, 'unsubscribed');
  if (previous !== 'active') return previous === null ? 'not-on-list' : 'already';
  // The page says "unsubscribed": that must hold after a failover of the list's primary.
  await app.subscribers.replicated(p.list);
  app.metrics.incr('unsubscribes', newsletterOf(app.config, p));
  log.info({ list: p.list, edition: p.edition || undefined }, 'unsubscribed');
  return 'unsubscribed';
}

/** The newsletter of a token and every list it sends to (the token's own list first). */
export function newsletterLists(config: BriefConfig, p: Pick<TokenPayload, 'edition' | 'list'>): { id: string; title: string; lists: string[] } {
  const id = newsletterOf(config, p);
  const n = config.newsletters.find((x) => x.id === id);
  return { id, title: n?.title ?? listLabel(config, p.list), lists: [...new Set([p.list, ...(n?.lists ?? [])])] };
}

/** What one unsubscribe from a newsletter's message did, list by list. */
export interface NewsletterLeave {
  /** The newsletter the message came from (its id, and the title a reader knows it by). */
  newsletter: string;
  title: string;
  /** Lists the address was active on and has now left. */
  left: string[];
  /** The overall outcome: 'unsubscribed' when any list changed. */
  outcome: LeaveOutcome;
}

/**
 * The unsubscribe of a newsletter's message: the newsletter stops reaching the address
 * through every list it sends to, not only the list the message was addressed through (a
 * reader on two of its lists would otherwise get the next edition through the other one,
 * and complain). Other newsletters' lists are left alone; the preferences page keeps the
 * per-list choices.
 */
export async function leaveNewsletter(
  app: App,
  p: Pick<TokenPayload, 'list' | 'email' | 'edition'>,
  log: Pick<Logger, 'info'> = app.logger,
): Promise<NewsletterLeave> {
  const { id, title, lists } = newsletterLists(app.config, p);
  const left: string[] = [];
  let onAny = false;
  for (const list of lists) {
    const current = await app.subscribers.get(list, p.email);
    if (!current) continue;
    onAny = true;
    if (current.status !== 'active') continue;
    const previous = await app.subscribers.setStatus(list, p.email, 'unsubscribed');
    if (previous === 'active') left.push(list);
  }
  if (left.length) {
    app.metrics.incr('unsubscribes', id);
    log.info({ newsletter: id, lists: left, edition: p.edition || undefined }, 'unsubscribed');
  }
  const outcome: LeaveOutcome = left.length ? 'unsubscribed' : onAny ? 'already' : 'not-on-list';
  return { newsletter: id, title, left, outcome };
}

export type JoinOutcome = 'joined' | 'already' | 'refused';

/**
 * Rejoining only undoes the reader's own unsubscribe. A bounced, complained or suppressed
 * address stays off: mailing it again hurts the sender's reputation, and lifting that is an
 * operator's decision (`brief subscribers add --resubscribe`).
 */
export async function join(app: App, list: string, email: string, log: Pick<Logger, 'info'> = app.logger): Promise<JoinOutcome> {
  const [current, suppressed] = await Promise.all([app.subscribers.get(list, email), app.subscribers.isSuppressed(email)]);
  if (!current) return 'refused';
  if (current.status === 'active') return 'already';
  if (current.status !== 'unsubscribed' || suppressed) return 'refused';
  const previous = await app.subscribers.setStatus(list, email, 'active');
  if (previous !== 'unsubscribed') {
    // A bounce landed between the read and the write: put the stronger status back.
    if (previous && previous !== 'active') await app.subscribers.setStatus(list, email, previous);
    return previous === 'active' ? 'already' : 'refused';
  }
  log.info({ list }, 'rejoined');
  return 'joined';
}

/** Each related list with the address's status there (null: not on it) and whether it is suppressed. */
export async function membership(
  app: App,
  p: Pick<TokenPayload, 'list' | 'email'>,
): Promise<{ suppressed: boolean; lists: Array<{ list: string; label: string; status: SubscriberStatus | null }> }> {
  const lists = relatedLists(app.config, p.list);
  const [suppressed, ...statuses] = await Promise.all([
    app.subscribers.isSuppressed(p.email),
    ...lists.map((l) => app.subscribers.get(l, p.email).then((s) => s?.status ?? null)),
  ]);
  return {
    suppressed: Boolean(suppressed),
    lists: lists.map((list, i) => ({ list, label: listLabel(app.config, list), status: (statuses[i] ?? null) as SubscriberStatus | null })),
  };
}
