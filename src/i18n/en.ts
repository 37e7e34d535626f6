/**
 * The English catalogue: every fixed string a reader sees in the emails (HTML and text),
 * the web archive and the subscriber pages. It is the reference: its keys are the
 * `StringKey`s, and every other catalogue must have each of them.
 *
 * `{name}`-style placeholders are filled by `t()`; the email's `%%BRIEF_…%%` tokens never
 * appear here (the templates place them).
 */
export const en = {
  'email.viewInBrowser': 'View in browser',
  'email.text.viewInBrowser': 'View in your browser',
  'email.greeting.named': 'Good morning, {name}',
  'email.greeting.anonymous': 'Good morning',
  'email.intro': 'Here is what you need to know today.',
  'email.topStory': 'Top story',
  'email.picks': "Editor's picks",
  'email.membersOnly': 'Members only',
  'email.byline': 'By {author}',
  'email.memberThanks': 'Thank you for being a member: you make this journalism possible.',
  'email.shareEdition': 'Share this edition',
  'email.managePreferences': 'Manage preferences',
  'email.unsubscribe': 'Unsubscribe',
  'email.whyReceived': 'You receive {title} because you subscribed to it.',

  'page.badLink.title': "This link doesn't work",
  'page.badLink.why': 'It may have been cut short or changed on the way — some mail apps break long links.',
  'page.badLink.help':
    'Please use the unsubscribe link at the bottom of a recent email from us, or reply to that email and ask to be removed; nothing was changed.',
  'page.unsubscribe.notSubscribedTitle': 'Not subscribed',
  'page.unsubscribe.notReceiving': "You're not receiving {label}",
  'page.unsubscribe.nothingToDo': '{email} is not subscribed to it, so there is nothing to do.',
  'page.unsubscribe.confirm': 'Unsubscribe from {label}?',
  'page.unsubscribe.willStop': '{email} will stop receiving {label}.',
  'page.unsubscribe.button': 'Unsubscribe',
  'page.unsubscribe.manageAll': 'Manage all your subscriptions',
  'page.unsubscribe.done': "You're unsubscribed",
  'page.unsubscribe.notOnList': "You're not subscribed",
  'page.unsubscribe.noMore': '{email} will not receive {label} any more.',
  'page.unsubscribe.listsLeft': 'Removed from the lists: {lists}.',
  'page.unsubscribe.mistake': 'Clicked by mistake?',
  'page.unsubscribe.rejoin': 'Rejoin or manage your subscriptions',
  'page.unsubscribe.genericTitle': 'Unsubscribe',
  'page.unsubscribe.genericHow':
    'To stop receiving our newsletter, use the unsubscribe link at the bottom of any email you received from us: it is made for your address, so one click is enough.',
  'page.unsubscribe.genericWhy':
    'This web copy of a newsletter is the same for every reader, so its links cannot unsubscribe anyone.',
  'page.prefs.title': 'Your subscriptions',
  'page.prefs.leave': 'Leave',
  'page.prefs.rejoin': 'Rejoin',
  'page.prefs.status.subscribed': 'Subscribed',
  'page.prefs.status.subscribedStopped':
    'Subscribed, but our emails to this address are stopped (they could not be delivered)',
  'page.prefs.status.unsubscribed': 'Unsubscribed',
  'page.prefs.status.unsubscribedStopped': 'Unsubscribed; our emails to this address could not be delivered',
  'page.prefs.status.bounced': 'Stopped: our emails to this address could not be delivered',
  'page.prefs.status.complained': 'Stopped after a spam report',
  'page.prefs.status.none': 'Not subscribed',
  'page.prefs.stoppedNote': 'Stopped lists can be restarted only by the editors: reply to one of our emails.',
  'page.prefs.left': 'You left {label}.',
  'page.prefs.wasNotSubscribed': 'You were not subscribed to {label}.',
  'page.prefs.welcomeBack': 'Welcome back: you will receive {label} again.',
  'page.prefs.already': 'You already receive {label}.',
  'page.prefs.cannotRestart': '{label} cannot be restarted from here; reply to one of our emails and the editors will help.',
  'page.notFound.title': 'Not found',
  'page.notFound.text': 'There is no page at this address.',
  'page.serverError.title': 'Something went wrong',
  'page.serverError.heading': 'Something went wrong on our side',
  'page.serverError.text': 'Nothing was changed. Please try again in a few minutes.',
  'page.badRequest.title': 'Bad request',
  'page.badRequest.heading': "That didn't work",
  'page.archive.title': 'Archive',
  'page.archive.newsletterTitle': '{title} — archive',
  'page.archive.empty': 'No editions have been sent yet.',
} as const;

export type StringKey = keyof typeof en;

/** A whole catalogue: one string for every key. */
export type Strings = { readonly [K in StringKey]: string };
