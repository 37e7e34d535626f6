import { MIN_PASSWORD_LENGTH } from '../../users/index.js';
import { h } from '../page.js';
import { CONSOLE_PATH, consolePage, csrfField } from './console-page.js';

/** The page of a sign-in link: choose a password (or: the link does not work). */
export function signInPage(o: { token: string; email?: string; csrf: string; notice?: { text: string; bad?: boolean } }): string {
  if (!o.email) {
    return consolePage({
      title: 'Sign-in link',
      narrow: true,
      notice: o.notice,
      body: `<h1>This sign-in link does not work</h1><p>It was used already, replaced by a newer one, or it expired. Ask an admin for a new one (<code>brief users reset EMAIL</code>).</p><p><a href="${CONSOLE_PATH}">Log in</a></p>`,
    });
  }
  return consolePage({
    title: 'Choose a password',
    narrow: true,
    notice: o.notice,
    body: `<h1>Choose a password</h1>
<p>For <strong>${h(o.email)}</strong>. This link works once.</p>
<form method="post" action="${CONSOLE_PATH}/sign-in/${h(o.token)}" class="card">
${csrfField(o.csrf)}
<input type="email" name="username" value="${h(o.email)}" autocomplete="username" hidden readonly>
<label for="password">New password (at least ${MIN_PASSWORD_LENGTH} characters)</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<label for="confirm">The same again</label>
<input type="password" id="confirm" name="confirm" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<div class="actions"><button type="submit">Set password and log in</button></div>
</form>`,
  });
}
