import type { App } from '../../wiring.js';
import { BriefError } from '../../errors.js';
import { editionId as makeEditionId, editionWindow, nextEditionDate } from '../../edition/index.js';
import { h } from '../page.js';
import { CONSOLE_PATH, consolePage } from './console-page.js';
import { editionPath, inZone } from './edition-pages.js';

/** Each newsletter: its next edition (in its zone and the browser's), its lists' sizes, its last editions. */
export async function newslettersPage(app: App, o: { csrf: string; notice?: { text: string; bad?: boolean } }): Promise<string> {
  const suppressed = await app.redis.scard(app.keys.suppression());
  const cards = await Promise.all(
    app.config.newsletters.map(async (n) => {
      let next = '<p>No next edition: the schedule has no later occurrence.</p>';
      try {
        const date = nextEditionDate(n.schedule, n.timezone, new Date());
        const w = editionWindow(n.schedule, n.timezone, date);
        const id = makeEditionId(n.id, date);
        next = `<p>Next edition: <a href="${h(editionPath(id))}">${h(id)}</a>, sent <time datetime="${h(w.end)}" data-local>${h(inZone(w.end, n.timezone))}</time> (${h(n.timezone)}).</p>`;
      } catch (err) {
        if (!(err instanceof BriefError)) throw err;
      }
      const lists = await Promise.all(n.lists.map(async (l) => ({ list: l, c: { ...(await app.subscribers.counts(l)), suppressed: await app.subscribers.countSuppressedOn(l) } })));
      const listRows = lists
        .map(({ list, c }) => `<tr><th scope="row">${h(list)}</th><td class="num">${c.active}</td><td class="num">${c.unsubscribed}</td><td class="num">${c.bounced}</td><td class="num">${c.complained}</td><td class="num">${c.suppressed}</td></tr>`)
        .join('');
      const editions = (await app.service.list(n.id)).slice(0, 8);
      const editionRows = editions
        .map(
          (s) =>
            `<tr><td><a href="${h(editionPath(s.id))}">${h(s.id)}</a></td><td><span class="state">${h(s.state)}</span></td><td class="num">${s.sent} / ${s.total}</td><td class="num">${s.failed + s.suppressed}</td><td>${
              s.state === 'sent' || s.state === 'cancelled' || s.state === 'failed' ? `<a href="${h(`${editionPath(s.id)}/report`)}">Report<span class="skip"> of ${h(s.id)}</span></a>` : ''
            }</td></tr>`,
        )
        .join('');
      const hid = `nl-${n.id}`;
      return `<section class="card" aria-labelledby="${h(hid)}">
<h2 id="${h(hid)}">${h(n.title)} <span class="muted">(${h(n.id)})</span></h2>
${next}
<div class="table-wrap" tabindex="0" role="region" aria-label="Lists of ${h(n.id)}"><table><caption class="muted">Lists</caption>
<thead><tr><th scope="col">List</th><th scope="col" class="num">Active</th><th scope="col" class="num">Unsubscribed</th><th scope="col" class="num">Bounced</th><th scope="col" class="num">Complained</th><th scope="col" class="num">Suppressed</th></tr></thead>
<tbody>${listRows}</tbody></table></div>
<h3>Last editions</h3>
${
  editions.length
    ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Last editions of ${h(n.id)}"><table><thead><tr><th scope="col">Edition</th><th scope="col">State</th><th scope="col" class="num">Sent / recipients</th><th scope="col" class="num">Failed or suppressed</th><th scope="col"><span class="skip">Report</span></th></tr></thead><tbody>${editionRows}</tbody></table></div>`
    : '<p class="muted">No editions yet.</p>'
}
</section>`;
    }),
  );
  return consolePage({
    title: 'Newsletters',
    csrf: o.csrf,
    notice: o.notice,
    current: 'newsletters',
    body: `<h1>Newsletters</h1>
<p class="muted">${suppressed} address${suppressed === 1 ? ' is' : 'es are'} suppressed on every list (a hard bounce or a complaint). <a href="${CONSOLE_PATH}/subscribers">Subscribers</a></p>
${cards.join('\n')}`,
  });
}
