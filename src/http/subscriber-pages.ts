import type { SubscriberStatus } from '../subscribers/index.js';
import { t, type StringKey } from '../i18n/index.js';
import { h, renderPage } from './page.js';
import type { ErrorAnswer } from './http-error.js';
import { ENGLISH, type PageText } from './page-language.js';
import type { JoinOutcome, LeaveOutcome } from './subscriptions.js';

/**
 * The HTML of the subscriber pages. Their words live in src/i18n (`page.*`), in the
 * language of the newsletter the link came from; every value goes through h().
 */

/** Escaping for element text (never attributes): an apostrophe stays readable in the source. */
const textEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A catalogue string as HTML: the string escaped, then each value as given (already HTML). */
function ht(p: PageText, key: StringKey, htmlVars: Record<string, string> = {}): string {
  // Placeholders are swapped for markers first, so the string's own text is escaped once and
  // the values (built with h()) are not escaped twice.
  const marked = t(p.s, key, Object.fromEntries(Object.keys(htmlVars).map((k) => [k, `\u0000${k}\u0000`])));
  return textEscape(marked).replace(/\u0000(\w+)\u0000/g, (_m, k: string) => htmlVars[k] ?? '');
}

const email = (v: string) => `<span class="email">${h(v)}</span>`;

export function badLinkPage(p: PageText = ENGLISH): string {
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.badLink.title'),
    body: `<h1>${ht(p, 'page.badLink.title')}</h1>
<p>${ht(p, 'page.badLink.why')}</p>
<p>${ht(p, 'page.badLink.help')}</p>`,
  });
}

export function confirmUnsubscribePage(
  v: { email: string; label: string; status: SubscriberStatus | null; prefsHref: string },
  p: PageText = ENGLISH,
): string {
  const prefs = `<p class="muted"><a href="${h(v.prefsHref)}">${ht(p, 'page.unsubscribe.manageAll')}</a></p>`;
  const label = h(v.label);
  if (v.status !== 'active') {
    return renderPage({
      lang: p.lang,
      title: t(p.s, 'page.unsubscribe.notSubscribedTitle'),
      body: `<h1>${ht(p, 'page.unsubscribe.notReceiving', { label })}</h1>
<p>${ht(p, 'page.unsubscribe.nothingToDo', { email: email(v.email) })}</p>${prefs}`,
    });
  }
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.unsubscribe.confirm', { label: v.label }),
    body: `<h1>${ht(p, 'page.unsubscribe.confirm', { label })}</h1>
<p>${ht(p, 'page.unsubscribe.willStop', { email: email(v.email), label })}</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">${ht(p, 'page.unsubscribe.button')}</button></form>
${prefs}`,
  });
}

export function unsubscribedPage(
  v: { email: string; label: string; outcome: LeaveOutcome; left?: string[]; prefsHref: string },
  p: PageText = ENGLISH,
): string {
  // A second click (or the mail client's one-click first) lands on 'already': same answer.
  const lead: StringKey = v.outcome === 'not-on-list' ? 'page.unsubscribe.notOnList' : 'page.unsubscribe.done';
  const left = v.left?.length ? `\n<p>${ht(p, 'page.unsubscribe.listsLeft', { lists: v.left.map((l) => `<code>${h(l)}</code>`).join(', ') })}</p>` : '';
  return renderPage({
    lang: p.lang,
    title: t(p.s, lead),
    body: `<h1>${ht(p, lead)}</h1>
<p>${ht(p, 'page.unsubscribe.noMore', { email: email(v.email), label: h(v.label) })}</p>${left}
<p class="muted">${ht(p, 'page.unsubscribe.mistake')} <a href="${h(v.prefsHref)}">${ht(p, 'page.unsubscribe.rejoin')}</a>.</p>`,
  });
}

/** The plain-text answer to an RFC 8058 one-click POST: a mail client, not a person, reads it. */
export function oneClickText(outcome: LeaveOutcome, left: string[] = []): string {
  if (outcome === 'not-on-list') return 'Not subscribed (nothing to do).\n';
  return left.length ? `Unsubscribed from ${left.join(', ')}.\n` : 'Unsubscribed.\n';
}

function statusLine(status: SubscriberStatus | null, suppressed: boolean): StringKey {
  if (status === 'active') return suppressed ? 'page.prefs.status.subscribedStopped' : 'page.prefs.status.subscribed';
  if (status === 'unsubscribed') return suppressed ? 'page.prefs.status.unsubscribedStopped' : 'page.prefs.status.unsubscribed';
  if (status === 'bounced') return 'page.prefs.status.bounced';
  if (status === 'complained') return 'page.prefs.status.complained';
  return 'page.prefs.status.none';
}

export interface PreferencesView {
  email: string;
  suppressed: boolean;
  lists: Array<{ list: string; label: string; status: SubscriberStatus | null }>;
  notice?: { text: string; bad?: boolean };
}

export function preferencesPage(v: PreferencesView, p: PageText = ENGLISH): string {
  const items = v.lists
    .map((l) => {
      let button = '';
      if (l.status === 'active') button = actionForm(l.list, 'leave', t(p.s, 'page.prefs.leave'), true);
      else if (l.status === 'unsubscribed' && !v.suppressed) button = actionForm(l.list, 'join', t(p.s, 'page.prefs.rejoin'), false);
      return `<li><strong>${h(l.label)}</strong><br><span class="muted">${ht(p, statusLine(l.status, v.suppressed))}</span>${button}</li>`;
    })
    .join('\n');
  const notice = v.notice ? `<p class="notice${v.notice.bad ? ' bad' : ''}">${h(v.notice.text)}</p>\n` : '';
  const stopped = v.suppressed || v.lists.some((l) => l.status === 'bounced' || l.status === 'complained');
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.prefs.title'),
    body: `${notice}<h1>${ht(p, 'page.prefs.title')}</h1>
<p>${email(v.email)}</p>
<ul class="lists">
${items}
</ul>${stopped ? `\n<p class="muted">${ht(p, 'page.prefs.stoppedNote')}</p>` : ''}`,
  });
}

function actionForm(list: string, action: 'leave' | 'join', label: string, secondary: boolean): string {
  return `<form method="post"><input type="hidden" name="list" value="${h(list)}"><input type="hidden" name="action" value="${action}"><button type="submit"${secondary ? ' class="secondary"' : ''}>${h(label)}</button></form>`;
}

/** The notice's text is plain (escaped where the page prints it). */
export function preferencesNotice(
  action: 'leave' | 'join',
  outcome: LeaveOutcome | JoinOutcome,
  label: string,
  p: PageText = ENGLISH,
): { text: string; bad?: boolean } {
  if (action === 'leave') return { text: t(p.s, outcome === 'not-on-list' ? 'page.prefs.wasNotSubscribed' : 'page.prefs.left', { label }) };
  if (outcome === 'joined') return { text: t(p.s, 'page.prefs.welcomeBack', { label }) };
  if (outcome === 'already') return { text: t(p.s, 'page.prefs.already', { label }) };
  return { text: t(p.s, 'page.prefs.cannotRestart', { label }), bad: true };
}

/** Where the archive's (token-free) unsubscribe links point. */
export function genericUnsubscribePage(p: PageText = ENGLISH): string {
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.unsubscribe.genericTitle'),
    body: `<h1>${ht(p, 'page.unsubscribe.genericTitle')}</h1>
<p>${ht(p, 'page.unsubscribe.genericHow')}</p>
<p class="muted">${ht(p, 'page.unsubscribe.genericWhy')}</p>`,
  });
}

export function errorPage(a: ErrorAnswer, p: PageText = ENGLISH): string {
  if (a.code === 'ETOKEN') return badLinkPage(p);
  if (a.status === 404) {
    return renderPage({ lang: p.lang, title: t(p.s, 'page.notFound.title'), body: `<h1>${ht(p, 'page.notFound.title')}</h1><p>${ht(p, 'page.notFound.text')}</p>` });
  }
  if (a.status >= 500) {
    return renderPage({
      lang: p.lang,
      title: t(p.s, 'page.serverError.title'),
      body: `<h1>${ht(p, 'page.serverError.heading')}</h1><p>${ht(p, 'page.serverError.text')}</p>`,
    });
  }
  // The message is the error's own one line (English, like the error codes): it names a field.
  return renderPage({ lang: p.lang, title: t(p.s, 'page.badRequest.title'), body: `<h1>${ht(p, 'page.badRequest.heading')}</h1><p>${h(a.message)}</p>` });
}

/** The hosted signup page; `error` is shown above the form after a refused post. */
export function signupPage(
  v: { title: string; form: string; error?: string },
  p: PageText = ENGLISH,
): string {
  const error = v.error ? `<p class="notice bad" role="alert">${h(v.error)}</p>\n` : '';
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.signup.title', { title: v.title }),
    noindex: false,
    body: `${error}<h1>${ht(p, 'page.signup.title', { title: h(v.title) })}</h1>
<p>${ht(p, 'page.signup.intro', { title: h(v.title) })}</p>
${v.form}`,
  });
}

/**
 * The one answer to every accepted signup, whatever the address's state: nobody can learn
 * from it whether an address is subscribed.
 */
export function signupAnswer(v: { title: string; email: string; doubleOptIn: boolean }, p: PageText = ENGLISH): { heading: string; text: string } {
  return v.doubleOptIn
    ? { heading: t(p.s, 'page.signup.checkInbox.title'), text: t(p.s, 'page.signup.checkInbox.text', { email: v.email, title: v.title }) }
    : { heading: t(p.s, 'page.signup.thanks.title'), text: t(p.s, 'page.signup.thanks.text', { email: v.email, title: v.title }) };
}

export function signupAcceptedPage(v: { title: string; email: string; doubleOptIn: boolean }, p: PageText = ENGLISH): string {
  const key = v.doubleOptIn ? 'page.signup.checkInbox' : 'page.signup.thanks';
  return renderPage({
    lang: p.lang,
    title: t(p.s, `${key}.title` as StringKey),
    body: `<h1>${ht(p, `${key}.title` as StringKey)}</h1>
<p>${ht(p, `${key}.text` as StringKey, { email: email(v.email), title: h(v.title) })}</p>`,
  });
}

/** A refusal before anything was looked up (origin, limits): one heading, one line. */
export function signupRefusedPage(text: string, p: PageText = ENGLISH): string {
  return renderPage({ lang: p.lang, title: t(p.s, 'page.badRequest.heading'), body: `<h1>${ht(p, 'page.badRequest.heading')}</h1>\n<p>${h(text)}</p>` });
}

/** GET /confirm/TOKEN: asks for the click (mail scanners follow links; only a POST confirms). */
export function confirmAskPage(v: { email: string; label: string }, p: PageText = ENGLISH): string {
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.confirm.title'),
    body: `<h1>${ht(p, 'page.confirm.title')}</h1>
<p>${ht(p, 'page.confirm.text', { email: email(v.email), label: h(v.label) })}</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">${ht(p, 'page.confirm.button')}</button></form>`,
  });
}

export function confirmedPage(v: { email: string; label: string; prefsHref: string }, p: PageText = ENGLISH): string {
  return renderPage({
    lang: p.lang,
    title: t(p.s, 'page.confirm.done.title'),
    body: `<h1>${ht(p, 'page.confirm.done.title')}</h1>
<p>${ht(p, 'page.confirm.done.text', { email: email(v.email), label: h(v.label) })}</p>
<p class="muted"><a href="${h(v.prefsHref)}">${ht(p, 'page.confirm.prefs')}</a></p>`,
  });
}

/** An expired, reused or broken confirmation link: what happened, and that nothing changed. */
export function confirmProblemPage(state: 'expired' | 'used' | 'bad', p: PageText = ENGLISH): string {
  const k = state === 'expired' ? 'page.confirm.expired' : state === 'used' ? 'page.confirm.used' : 'page.confirm.bad';
  return renderPage({
    lang: p.lang,
    title: t(p.s, `${k}.title` as StringKey),
    body: `<h1>${ht(p, `${k}.title` as StringKey)}</h1>\n<p>${ht(p, `${k}.text` as StringKey)}</p>`,
  });
}
