import type { SubscriberStatus } from '../subscribers/index.js';
import { h, renderPage } from './page.js';
import type { ErrorAnswer } from './http-error.js';
import type { JoinOutcome, LeaveOutcome } from './subscriptions.js';

/**
 * The HTML of the subscriber pages. Words a reader sees live here, in one file, so they can
 * be read and changed together. Every value goes through h().
 */

const badLinkBody = `<h1>This link doesn't work</h1>
<p>It may have been cut short or changed on the way — some mail apps break long links.</p>
<p>Please use the unsubscribe link at the bottom of a recent email from us, or reply to that
email and ask to be removed; nothing was changed.</p>`;

export function badLinkPage(): string {
  return renderPage({ title: "This link doesn't work", body: badLinkBody });
}

export function confirmUnsubscribePage(v: { email: string; label: string; status: SubscriberStatus | null; prefsHref: string }): string {
  const prefs = `<p class="muted"><a href="${h(v.prefsHref)}">Manage all your subscriptions</a></p>`;
  if (v.status !== 'active') {
    return renderPage({
      title: 'Not subscribed',
      body: `<h1>You're not receiving ${h(v.label)}</h1>
<p><span class="email">${h(v.email)}</span> is not subscribed to it, so there is nothing to do.</p>${prefs}`,
    });
  }
  return renderPage({
    title: `Unsubscribe from ${v.label}?`,
    body: `<h1>Unsubscribe from ${h(v.label)}?</h1>
<p><span class="email">${h(v.email)}</span> will stop receiving ${h(v.label)}.</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>
${prefs}`,
  });
}

export function unsubscribedPage(v: { email: string; label: string; outcome: LeaveOutcome; prefsHref: string }): string {
  // A second click (or the mail client's one-click first) lands on 'already': same answer.
  const lead = v.outcome === 'not-on-list' ? "You're not subscribed" : "You're unsubscribed";
  return renderPage({
    title: lead,
    body: `<h1>${lead}</h1>
<p><span class="email">${h(v.email)}</span> will not receive ${h(v.label)} any more.</p>
<p class="muted">Clicked by mistake? <a href="${h(v.prefsHref)}">Rejoin or manage your subscriptions</a>.</p>`,
  });
}

/** The plain-text answer to an RFC 8058 one-click POST: a mail client, not a person, reads it. */
export function oneClickText(outcome: LeaveOutcome): string {
  return outcome === 'not-on-list' ? 'Not subscribed (nothing to do).\n' : 'Unsubscribed.\n';
}

function statusLine(status: SubscriberStatus | null, suppressed: boolean): string {
  if (status === 'active') return suppressed ? 'Subscribed, but our emails to this address are stopped (they could not be delivered)' : 'Subscribed';
  if (status === 'unsubscribed') return suppressed ? 'Unsubscribed; our emails to this address could not be delivered' : 'Unsubscribed';
  if (status === 'bounced') return 'Stopped: our emails to this address could not be delivered';
  if (status === 'complained') return 'Stopped after a spam report';
  return 'Not subscribed';
}

export interface PreferencesView {
  email: string;
  suppressed: boolean;
  lists: Array<{ list: string; label: string; status: SubscriberStatus | null }>;
  notice?: { text: string; bad?: boolean };
}

export function preferencesPage(v: PreferencesView): string {
  const items = v.lists
    .map((l) => {
      let button = '';
      if (l.status === 'active') button = actionForm(l.list, 'leave', 'Leave', true);
      else if (l.status === 'unsubscribed' && !v.suppressed) button = actionForm(l.list, 'join', 'Rejoin', false);
      return `<li><strong>${h(l.label)}</strong><br><span class="muted">${h(statusLine(l.status, v.suppressed))}</span>${button}</li>`;
    })
    .join('\n');
  const notice = v.notice ? `<p class="notice${v.notice.bad ? ' bad' : ''}">${h(v.notice.text)}</p>\n` : '';
  const stopped = v.suppressed || v.lists.some((l) => l.status === 'bounced' || l.status === 'complained');
  return renderPage({
    title: 'Your subscriptions',
    body: `${notice}<h1>Your subscriptions</h1>
<p><span class="email">${h(v.email)}</span></p>
<ul class="lists">
${items}
</ul>${stopped ? '\n<p class="muted">Stopped lists can be restarted only by the editors: reply to one of our emails.</p>' : ''}`,
  });
}

function actionForm(list: string, action: 'leave' | 'join', label: string, secondary: boolean): string {
  return `<form method="post"><input type="hidden" name="list" value="${h(list)}"><input type="hidden" name="action" value="${action}"><button type="submit"${secondary ? ' class="secondary"' : ''}>${label}</button></form>`;
}

export function preferencesNotice(action: 'leave' | 'join', outcome: LeaveOutcome | JoinOutcome, label: string): { text: string; bad?: boolean } {
  if (action === 'leave') return { text: outcome === 'not-on-list' ? `You were not subscribed to ${label}.` : `You left ${label}.` };
  if (outcome === 'joined') return { text: `Welcome back: you will receive ${label} again.` };
  if (outcome === 'already') return { text: `You already receive ${label}.` };
  return { text: `${label} cannot be restarted from here; reply to one of our emails and the editors will help.`, bad: true };
}

/** Where the archive's (token-free) unsubscribe links point. */
export function genericUnsubscribePage(): string {
  return renderPage({
    title: 'Unsubscribe',
    body: `<h1>Unsubscribe</h1>
<p>To stop receiving our newsletter, use the <strong>unsubscribe</strong> link at the bottom of
any email you received from us: it is made for your address, so one click is enough.</p>
<p class="muted">This web copy of a newsletter is the same for every reader, so its links
cannot unsubscribe anyone.</p>`,
  });
}

export function errorPage(a: ErrorAnswer): string {
  if (a.code === 'ETOKEN') return badLinkPage();
  if (a.status === 404) {
    return renderPage({ title: 'Not found', body: `<h1>Not found</h1><p>There is no page at this address.</p>` });
  }
  if (a.status >= 500) {
    return renderPage({
      title: 'Something went wrong',
      body: `<h1>Something went wrong on our side</h1><p>Nothing was changed. Please try again in a few minutes.</p>`,
    });
  }
  return renderPage({ title: 'Bad request', body: `<h1>That didn't work</h1><p>${h(a.message)}</p>` });
}
