import { DateTime } from 'luxon';
import type { App } from '../../wiring.js';
import { normaliseAddress } from '../../subscribers/index.js';
import { h } from '../page.js';
import { CONSOLE_PATH, consolePage, csrfField } from './console-page.js';

/** Counts per list, the CSV import, and one address looked up (its lists and status), with Remove. */
export async function subscribersPage(app: App, o: { csrf: string; address?: string; notice?: { text: string; bad?: boolean } }): Promise<string> {
  const lists = await allLists(app);
  const counts = await Promise.all(lists.map(async (l) => ({ list: l, c: { ...(await app.subscribers.counts(l)), suppressed: await app.subscribers.countSuppressedOn(l) } })));
  const rows = counts
    .map(({ list, c }) => `<tr><th scope="row">${h(list)}</th><td class="num">${c.active}</td><td class="num">${c.unsubscribed}</td><td class="num">${c.bounced}</td><td class="num">${c.complained}</td><td class="num">${c.suppressed}</td></tr>`)
    .join('');
  let lookup = '';
  const given = (o.address ?? '').trim();
  if (given) {
    const email = normaliseAddress(given);
    if (!email) {
      lookup = `<p class="notice bad" role="status">${h(JSON.stringify(given.slice(0, 100)))} is not an email address.</p>`;
    } else {
      const found = (await Promise.all(lists.map(async (l) => ({ list: l, s: await app.subscribers.get(l, email) })))).filter((x) => x.s);
      const supp = await app.subscribers.suppression(email);
      const items = found
        .map(({ list, s }) => `<li><strong>${h(list)}</strong>: ${h(s!.status)}${s!.name ? `, name ${h(s!.name)}` : ''}</li>`)
        .join('');
      lookup = `<section class="card" aria-labelledby="found-h"><h3 id="found-h">${h(email)}</h3>
${found.length ? `<ul class="plain">${items}</ul>` : '<p>On no list.</p>'}
<p>${supp ? `Suppressed since ${h(DateTime.fromMillis(supp.at).toUTC().toISO() ?? '')}: ${h(supp.reason)}` : 'Not suppressed.'}</p>
${
  found.length
    ? `<form method="post" action="${CONSOLE_PATH}/subscribers/remove">${csrfField(o.csrf)}<input type="hidden" name="address" value="${h(email)}"><button type="submit" class="danger">Remove from every list</button></form>`
    : ''
}
</section>`;
    }
  }
  const options = lists.map((l) => `<option value="${h(l)}">${h(l)}</option>`).join('');
  return consolePage({
    title: 'Subscribers',
    csrf: o.csrf,
    notice: o.notice,
    current: 'subscribers',
    scripts: ['subscribers.js'],
    body: `<h1>Subscribers</h1>
<section class="card" aria-labelledby="lists-h"><h2 id="lists-h">Lists</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Subscribers per list"><table>
<thead><tr><th scope="col">List</th><th scope="col" class="num">Active</th><th scope="col" class="num">Unsubscribed</th><th scope="col" class="num">Bounced</th><th scope="col" class="num">Complained</th><th scope="col" class="num">Suppressed</th></tr></thead>
<tbody>${rows}</tbody></table></div>
</section>
<section class="card" aria-labelledby="lookup-h"><h2 id="lookup-h">Look up an address</h2>
<form method="get" action="${CONSOLE_PATH}/subscribers" role="search">
<label for="address">Email address</label>
<input type="search" id="address" name="address" value="${h(given)}" autocomplete="off">
<div class="actions"><button type="submit">Look up</button></div>
</form>
${lookup}
</section>
<section class="card" aria-labelledby="import-h"><h2 id="import-h">Import CSV</h2>
<p class="muted">A header row with an <code>email</code> column; <code>name</code> and <code>status</code> are optional, other columns become attributes. Bad lines are skipped and listed. Needs JavaScript; or use <code>brief subscribers import LIST FILE.csv</code>.</p>
<form id="import-form" data-action="${CONSOLE_PATH}/subscribers/import" method="post" action="${CONSOLE_PATH}/subscribers/import">
${csrfField(o.csrf)}
<label for="import-list">List</label>
<select id="import-list" name="list">${options}</select>
<label for="import-file">CSV file</label>
<input type="file" id="import-file" name="file" accept=".csv,text/csv" required>
<div class="actions"><button type="submit">Import CSV</button></div>
<progress id="import-progress" max="100" value="0" aria-label="Import progress" hidden></progress>
<div id="import-report" role="status" aria-live="polite"></div>
</form>
</section>`,
  });
}

/** The lists of the config's newsletters and any other list the store holds. */
export async function allLists(app: App): Promise<string[]> {
  const set = new Set(app.config.newsletters.flatMap((n) => n.lists));
  for (const l of await app.subscribers.lists()) set.add(l);
  return [...set].sort();
}
