import type { User } from '../../users/index.js';
import { ROLES } from '../roles.js';
import { h } from '../page.js';
import { CONSOLE_PATH, consolePage, csrfField, postButton } from './console-page.js';

/** The Users page (admin only): accounts, roles, add / reset / remove, and a fresh sign-in link once. */
export function usersPage(o: { users: User[]; csrf: string; me: string; notice?: { text: string; bad?: boolean }; link?: { email: string; url: string } }): string {
  const rows = o.users
    .map(
      (u) => `<tr><th scope="row">${h(u.email)}</th><td>${h(u.role)}</td><td>${u.hasPassword ? 'password set' : u.linkPending ? 'sign-in link sent' : 'no password'}</td><td>${postButton(
        `${CONSOLE_PATH}/users/reset`, 'Reset', o.csrf, { cls: 'secondary', attrs: ` data-user="${h(u.email)}"` },
      ).replace('</form>', `<input type="hidden" name="email" value="${h(u.email)}"></form>`)}${
        u.email === o.me
          ? ''
          : postButton(`${CONSOLE_PATH}/users/remove`, 'Remove', o.csrf, { cls: 'danger', attrs: ` data-user="${h(u.email)}"` }).replace(
              '</form>',
              `<input type="hidden" name="email" value="${h(u.email)}"></form>`,
            )
      }</td></tr>`,
    )
    .join('');
  const link = o.link
    ? `<section class="card" aria-labelledby="link-h"><h2 id="link-h">Sign-in link for ${h(o.link.email)}</h2>
<p>Give this link to ${h(o.link.email)}; it works once, for 24 hours, and is not shown again.</p>
<p><code id="sign-in-link">${h(o.link.url)}</code></p></section>`
    : '';
  return consolePage({
    title: 'Users',
    csrf: o.csrf,
    notice: o.notice,
    current: 'users',
    body: `<h1>Users</h1>
${link}
<p class="muted">A viewer sees every page but no subscriber's address; an editor also sees addresses, previews, curates, tests, sends, pauses, resumes, cancels and approves; an admin also manages users and lists.</p>
${
  o.users.length
    ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table><thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Sign-in</th><th scope="col"><span class="skip">Actions</span></th></tr></thead><tbody>${rows}</tbody></table></div>`
    : '<p>No users yet: the console is open only with BRIEF_ADMIN_TOKEN.</p>'
}
<section class="card" aria-labelledby="add-h"><h2 id="add-h">Add a user</h2>
<form method="post" action="${CONSOLE_PATH}/users" id="add-user">${csrfField(o.csrf)}
<label for="email">Email</label><input type="email" id="email" name="email" required autocomplete="off">
<label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => `<option value="${r}"${r === 'editor' ? ' selected' : ''}>${r}</option>`).join('')}</select>
<div class="actions"><button type="submit">Add and make a sign-in link</button></div>
</form></section>`,
  });
}
