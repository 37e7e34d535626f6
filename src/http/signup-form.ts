import type { NewsletterConfig } from '../config/schema.js';
import { stringsFor, t } from '../i18n/index.js';
import { wordingVersion } from '../signup/signup-types.js';
import { h } from './page.js';

/** The honeypot: a field people never see (hidden off-screen) and bots fill in. */
export const HONEYPOT_FIELD = 'website';

export interface SignupFormOptions {
  /** Where the form posts: `PUBLIC_URL/subscribe/NEWSLETTER` for an embed, relative on the hosted page. */
  action: string;
  /**
   * How the honeypot is hidden: a class of the hosted page's stylesheet (its CSP allows no
   * style attributes), or an inline style for a snippet pasted into another site.
   */
  hide: 'class' | 'inline';
  /** Ids are prefixed so two forms on one page do not clash. */
  idPrefix: string;
  /** Values to fill in again after a refused post. */
  values?: { email?: string; name?: string; lists?: string[] };
}

/**
 * The signup form: email, optional name, the newsletter's lists as checkboxes when it has
 * several, the honeypot, the wording version, the consent text and the button, all in the
 * newsletter's language. Every value goes through h().
 */
export function signupFormHtml(n: NewsletterConfig, o: SignupFormOptions): string {
  const s = stringsFor(n.locale, n.strings);
  const id = (x: string) => h(`${o.idPrefix}-${x}`);
  const lists =
    n.lists.length > 1
      ? `\n  <fieldset>\n    <legend>${h(t(s, 'page.signup.lists'))}</legend>\n` +
        n.lists
          .map((l) => {
            const checked = !o.values?.lists || o.values.lists.includes(l) ? ' checked' : '';
            return `    <label class="check"><input type="checkbox" name="list" value="${h(l)}"${checked}> ${h(l)}</label>\n`;
          })
          .join('') +
        '  </fieldset>'
      : '';
  const hidden = o.hide === 'class' ? ' class="hp"' : ' style="position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden"';
  const consent = n.signup.doubleOptIn ? t(s, 'page.signup.consent') : t(s, 'page.signup.consentNoConfirm');
  return `<form method="post" action="${h(o.action)}" accept-charset="utf-8">
  <label for="${id('email')}">${h(t(s, 'page.signup.email'))}</label>
  <input id="${id('email')}" type="email" name="email" required autocomplete="email" value="${h(o.values?.email ?? '')}">
  <label for="${id('name')}">${h(t(s, 'page.signup.name'))}</label>
  <input id="${id('name')}" type="text" name="name" autocomplete="name" maxlength="200" value="${h(o.values?.name ?? '')}">${lists}
  <div${hidden} aria-hidden="true"><label for="${id(HONEYPOT_FIELD)}">Leave this empty</label><input id="${id(HONEYPOT_FIELD)}" type="text" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>
  <input type="hidden" name="wording" value="${h(wordingVersion(n))}">
  <p>${h(consent)}</p>
  <button type="submit">${h(t(s, 'page.signup.button'))}</button>
</form>`;
}

/** What `brief form NEWSLETTER` prints: a plain HTML snippet (no script) that posts to the hosted endpoint. */
export function embedSnippet(n: NewsletterConfig, publicUrl: string): string {
  const s = stringsFor(n.locale, n.strings);
  const form = signupFormHtml(n, { action: `${publicUrl}/subscribe/${encodeURIComponent(n.id)}`, hide: 'inline', idPrefix: `brief-${n.id}` });
  return `<!-- ${h(t(s, 'page.signup.title', { title: n.title }))}: signup form of daily-brief. The site it is on must be in signup.allowedOrigins. -->
<div class="brief-signup" lang="${h(n.locale)}">
${form}
</div>
`;
}
