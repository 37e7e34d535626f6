import { h } from '../page.js';
import { DASHBOARD_PATH } from '../dashboard.js';

/** Where the console lives; bull-board keeps /admin/queues. */
export const CONSOLE_PATH = '/admin';

/**
 * The console's pages: their own stylesheet and small per-page scripts, all files of this
 * origin (no inline script or style, so the CSP needs no hashes or 'unsafe-inline'), and the
 * preview iframe may only show this origin's preview route.
 */
export const CONSOLE_CSP =
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; ` +
  `connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

export interface ConsolePageOptions {
  title: string;
  /** Trusted HTML, every value inside escaped with h(). */
  body: string;
  /** The signed-in session's CSRF token: shows the navigation and Log out. */
  csrf?: string;
  /** Which navigation entry is the current page. */
  current?: 'newsletters' | 'subscribers' | 'activity' | 'users';
  /** Page scripts besides console.js, by file name under /admin/assets/. */
  scripts?: string[];
  /** A one-line message to show on top (a flash after a redirect). */
  notice?: { text: string; bad?: boolean };
  narrow?: boolean;
}

export const csrfField = (csrf: string) => `<input type="hidden" name="_csrf" value="${h(csrf)}">`;

/** A POST form of one button, with the CSRF token. */
export function postButton(action: string, label: string, csrf: string, opts: { cls?: string; attrs?: string } = {}): string {
  return `<form method="post" action="${h(action)}" class="inline"${opts.attrs ?? ''}>${csrfField(csrf)}<button type="submit"${
    opts.cls ? ` class="${opts.cls}"` : ''
  }>${h(label)}</button></form>`;
}

export function consolePage(o: ConsolePageOptions): string {
  const navItem = (key: string, href: string, label: string) =>
    `<li><a href="${h(href)}"${o.current === key ? ' aria-current="page"' : ''}>${h(label)}</a></li>`;
  const header = o.csrf
    ? `<header class="top"><span class="brand">daily-brief console</span>
<nav aria-label="Console"><ul>
${navItem('newsletters', `${CONSOLE_PATH}/newsletters`, 'Newsletters')}
${navItem('subscribers', `${CONSOLE_PATH}/subscribers`, 'Subscribers')}
${navItem('activity', `${CONSOLE_PATH}/activity`, 'Activity')}
${navItem('users', `${CONSOLE_PATH}/users`, 'Users').replace('<li>', '<li class="needs-admin">')}
<li><a href="${DASHBOARD_PATH}">Queues</a></li>
</ul></nav>
${postButton(`${CONSOLE_PATH}/logout`, 'Log out', o.csrf, { cls: 'secondary' })}
</header>`
    : `<header class="top"><span class="brand">daily-brief console</span></header>`;
  const notice = o.notice ? `<p class="notice${o.notice.bad ? ' bad' : ''}" role="status">${h(o.notice.text)}</p>\n` : '';
  const scripts = ['console.js', ...(o.scripts ?? [])]
    .map((s) => `<script type="module" src="${CONSOLE_PATH}/assets/${h(s)}"></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${h(o.title)} · daily-brief</title>
<link rel="stylesheet" href="${CONSOLE_PATH}/assets/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main"${o.narrow ? ' class="narrow"' : ''}>
${notice}${o.body}
</main>
${scripts}
</body>
</html>
`;
}
