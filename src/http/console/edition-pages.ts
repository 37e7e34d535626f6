import { DateTime } from 'luxon';
import { h } from '../page.js';
import type { EditionStatus } from '../../delivery/edition-store.js';
import type { FailureGroup, ReportRow } from '../../delivery/edition-report.js';
import type { EditionProgress } from '../../edition/index.js';
import { CONSOLE_PATH, consolePage, csrfField, postButton } from './console-page.js';
import type { EditionView } from './edition-view.js';

type Live = EditionStatus & EditionProgress & { final: boolean };

const enc = encodeURIComponent;
export const editionPath = (id: string) => `${CONSOLE_PATH}/editions/${enc(id)}`;

/** An instant in a zone, e.g. "Fri 5 Sep 2025, 08:00 GMT+4". */
export function inZone(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat("ccc d LLL yyyy, HH:mm ZZZZ");
}

export function fmtEta(s: number | null): string {
  return s === null ? 'unknown' : s === 0 ? 'done' : s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

function toggles(view: EditionView, phone: boolean, variant: 'member' | 'public'): string {
  const link = (label: string, p: boolean, v: 'member' | 'public', current: boolean) => {
    const q = new URLSearchParams();
    if (p) q.set('view', 'phone');
    if (v === 'public') q.set('variant', 'public');
    const qs = q.toString();
    return `<li><a href="${h(editionPath(view.id) + (qs ? `?${qs}` : ''))}#preview" aria-current="${current}">${h(label)}</a></li>`;
  };
  return `<div class="toggles">
<nav aria-label="Preview width"><ul>${link('Desktop', false, variant, !phone)}${link('Phone', true, variant, phone)}</ul></nav>
<nav aria-label="Preview variant"><ul>${link('Member', phone, 'member', variant === 'member')}${link('Public', phone, 'public', variant === 'public')}</ul></nav>
</div>`;
}

/** The live numbers; edition.js keeps them current from the event stream. */
export function liveBlock(s: Live, csrf: string): string {
  const field = (name: string, label: string, value: string) => `<div><dt>${h(label)}</dt><dd data-field="${name}">${h(value)}</dd></div>`;
  const running = s.state === 'sending' || s.state === 'scheduled';
  const path = editionPath(s.id);
  return `<section class="card" id="live" data-events="${h(`${path}/events`)}" aria-labelledby="live-h">
<h2 id="live-h">Send: <span class="state" data-field="state">${h(s.state)}</span></h2>
<progress max="${Math.max(1, s.total)}" value="${s.done}" aria-label="Recipients done">${h(String(s.percent))}%</progress>
<div aria-live="polite" aria-atomic="false">
<dl class="counts">
${field('sent', 'Sent', String(s.sent))}
${field('failed', 'Failed', String(s.failed))}
${field('suppressed', 'Suppressed', String(s.suppressed))}
${field('skipped', 'Skipped', String(s.skipped))}
${field('remaining', 'Remaining', String(s.remaining))}
${field('total', 'Recipients', String(s.total))}
${field('rate', 'Rate', `${s.ratePerSecond.toFixed(1)}/s`)}
${field('eta', 'ETA', fmtEta(s.etaSeconds))}
</dl>
</div>
<div class="actions">
<span data-when="pausable"${running ? '' : ' hidden'}>${postButton(`${path}/pause`, 'Pause', csrf, { cls: 'secondary' })}</span>
<span data-when="paused"${s.state === 'paused' ? '' : ' hidden'}>${postButton(`${path}/resume`, 'Resume', csrf)}</span>
<a class="button danger" data-when="cancellable" href="${h(`${path}/cancel`)}"${running || s.state === 'paused' ? '' : ' hidden'}>Cancel</a>
<a class="button secondary" data-when="finished" href="${h(`${path}/report`)}"${s.final ? '' : ' hidden'}>Report</a>
</div>
${s.error ? `<p class="notice bad">${h(s.error)}</p>` : ''}
</section>`;
}

/**
 * The curation of an upcoming edition: one small form per control (they work without
 * script; curate.js sends them in the background and reloads only the preview).
 */
export function curationBlock(view: EditionView, csrf: string): string {
  const path = `${editionPath(view.id)}/curate`;
  const form = (op: string, article: string, label: string, cls = 'secondary', pressed?: boolean) =>
    `<form method="post" action="${h(path)}" class="inline" data-curate>${csrfField(csrf)}<input type="hidden" name="op" value="${h(op)}"><input type="hidden" name="article" value="${h(article)}"><button type="submit" class="${cls}"${pressed === undefined ? '' : ` aria-pressed="${pressed}"`}>${h(label)}</button></form>`;
  const rows = view.candidates
    .map((a) => {
      const where = a.excluded ? 'excluded' : (a.placement ?? 'over the cap');
      return `<tr data-article="${h(a.id)}"${a.excluded ? ' class="excluded"' : ''}>
<td><a href="${h(a.url)}" rel="noreferrer">${h(a.title)}</a>${a.isNew ? ' <strong class="badge new">new</strong>' : ''}</td>
<td>${h(where)}</td>
<td class="actions">${a.excluded ? form('include', a.id, 'Include') : form('exclude', a.id, 'Exclude')}${
        a.excluded ? '' : `${form('lead', a.id, a.lead ? 'Lead' : 'Make lead', a.lead ? '' : 'secondary', a.lead)}${a.lead ? '' : form(a.pick ? 'unpick' : 'pick', a.id, 'Pick', 'secondary', a.pick)}${
          a.placement && a.placement !== 'lead' ? `${form('up', a.id, 'Up')}${form('down', a.id, 'Down')}` : ''
        }`
      }</td></tr>`;
    })
    .join('\n');
  return `<section class="card" id="curation" aria-labelledby="curation-h">
<h2 id="curation-h">Curation</h2>
<p class="muted">Saved as you go and applied when the edition is frozen. Articles marked <strong>new</strong> arrived after the last change; they are included unless excluded.</p>
<p role="status" aria-live="polite" data-curate-status></p>
<div class="table-wrap"><table><thead><tr><th scope="col">Article</th><th scope="col">Where</th><th scope="col">Actions</th></tr></thead><tbody>
${rows}
</tbody></table></div>
<form method="post" action="${h(path)}" data-curate>
${csrfField(csrf)}<input type="hidden" name="op" value="note">
<label for="note">Intro note (plain text, links allowed; replaces the greeting)</label>
<textarea id="note" name="note" rows="4" maxlength="2000">${h(view.note ?? '')}</textarea>
<div class="actions"><button type="submit">Save note</button></div>
</form>
</section>`;
}

/** Approve (awaiting approval), hold (upcoming) and release (held). */
function approvalBlock(view: EditionView, csrf: string): string {
  const st = view.status?.state;
  const path = editionPath(view.id);
  const upcoming = !st || st === 'scheduled' || st === 'awaiting-approval';
  if (!upcoming && st !== 'held') return '';
  const parts: string[] = [];
  if (st === 'awaiting-approval') {
    const overdue = Date.parse(view.window.end) <= Date.now();
    parts.push(`<p class="notice${overdue ? ' bad' : ''}"><strong>Awaiting approval</strong>${overdue ? ': its occurrence has passed; it is not sent until approved' : `: it is sent at ${h(inZone(view.window.end, view.newsletter.timezone))} once approved`}.</p>`);
    parts.push(postButton(`${path}/approve`, 'Approve', csrf));
  }
  if (st === 'held') {
    parts.push(`<p class="notice bad"><strong>Held</strong>: the scheduled send waits until it is released.</p>`);
    parts.push(postButton(`${path}/release`, 'Release', csrf));
  } else if (!view.frozen) {
    parts.push(postButton(`${path}/hold`, 'Hold', csrf, { cls: 'secondary' }));
  }
  if (view.newsletter.approval === 'required' && st !== 'awaiting-approval') parts.push('<p class="muted">This newsletter needs an approval before each send.</p>');
  return `<section class="card" id="approval" aria-labelledby="approval-h"><h2 id="approval-h">Approval and hold</h2>${parts.join('\n')}</section>`;
}

export function editionPage(
  view: EditionView,
  o: { csrf: string; notice?: { text: string; bad?: boolean }; phone: boolean; variant: 'member' | 'public'; testTo: string; live?: Live },
): string {
  const n = view.newsletter;
  const path = editionPath(view.id);
  const w = view.window;
  const warnings = view.warnings.length
    ? `<h3>Warnings</h3><ul class="warnings">${view.warnings.map((x) => `<li>${h(x)}</li>`).join('')}</ul>`
    : '<p class="muted">No warnings.</p>';
  const sections = view.sections
    .map(
      (s) =>
        `<h3>${h(s.title)} <span class="muted">(${s.articles.length})</span></h3><ul class="plain">${s.articles
          .map((a) => `<li><a href="${h(a.url)}" rel="noreferrer">${h(a.title)}</a></li>`)
          .join('')}</ul>`,
    )
    .join('\n');
  // Nothing compiled (no articles, a feed down): a send would only fail.
  const canSend = view.subject !== null && (!view.status || (view.status.state === 'failed' && !view.frozen));
  const previewable = view.subject !== null;
  const width = o.phone ? 375 : 600;
  const send = canSend
    ? `<section class="card" aria-labelledby="send-h"><h2 id="send-h">Send</h2>
<p>Sends this edition to every active subscriber of ${h(n.lists.join(', '))}, now.</p>
<div class="actions"><a class="button" href="${h(`${path}/send`)}">Send now</a></div></section>`
    : '';
  const body = `<p><a href="${CONSOLE_PATH}/newsletters">Newsletters</a> › ${h(n.title)}</p>
<h1>Edition ${h(view.id)}</h1>
<p>${view.subject ? `Subject: <strong>${h(view.subject)}</strong>` : 'No subject yet: nothing to send.'}${
    view.status ? '' : ' <span class="muted">(not requested yet: compiled from the feeds now)</span>'
  }</p>
${o.live ? liveBlock(o.live, o.csrf) : ''}
${approvalBlock(view, o.csrf)}
<div class="grid two">
<section class="card" id="preview" aria-labelledby="preview-h">
<h2 id="preview-h">Preview</h2>
${toggles(view, o.phone, o.variant)}
${
  previewable
    ? `<iframe class="preview-frame ${o.phone ? 'phone' : 'desktop'}" sandbox="" src="${h(`${path}/preview?variant=${o.variant}`)}" width="${width}" height="900" title="Preview: ${h(o.variant === 'member' ? 'Member' : 'Public')} variant, ${width} px wide"></iframe>`
    : '<p>No preview: the edition has no content.</p>'
}
</section>
<div>
<section class="card" aria-labelledby="contents-h">
<h2 id="contents-h">Contents</h2>
<p>Window: after <time datetime="${h(w.start)}">${h(inZone(w.start, n.timezone))}</time>, up to <time datetime="${h(w.end)}" data-local>${h(inZone(w.end, n.timezone))}</time> (${h(n.timezone)}).</p>
<p>${view.articleCount} article${view.articleCount === 1 ? '' : 's'}${view.htmlBytes !== null ? `, ${Math.round(view.htmlBytes / 1024)} KB HTML part` : ''}.</p>
${view.frozen && view.sections.length ? '<p class="muted">The preview shows the edition as frozen for the send; the articles below are what the feeds hold now.</p>' : ''}
${warnings}
${view.lead ? `<h3>Lead</h3><ul class="plain"><li><a href="${h(view.lead.url)}" rel="noreferrer">${h(view.lead.title)}</a></li></ul>` : ''}
${sections}
</section>
${view.candidates.length ? curationBlock(view, o.csrf) : ''}
<section class="card" aria-labelledby="test-h">
<h2 id="test-h">Send test</h2>
<form method="post" action="${h(`${path}/test`)}">
${csrfField(o.csrf)}
<label for="test-to">Test addresses (comma-separated)</label>
<input type="text" id="test-to" name="to" value="${h(o.testTo)}" autocomplete="email" required>
<p class="muted">Arrives with [TEST] before the subject; nothing is recorded.</p>
<div class="actions"><button type="submit">Send test</button></div>
</form>
</section>
${send}
</div>
</div>`;
  return consolePage({ title: `Edition ${view.id}`, body, csrf: o.csrf, notice: o.notice, current: 'newsletters', scripts: [...(o.live ? ['edition.js'] : []), ...(view.candidates.length ? ['curate.js'] : [])] });
}

export function sendConfirmPage(o: { id: string; title: string; lists: Array<{ list: string; active: number }>; csrf: string }): string {
  const total = o.lists.reduce((a, l) => a + l.active, 0);
  const path = editionPath(o.id);
  const listWords = o.lists.map((l) => `${l.list} (${l.active})`).join(', ');
  return consolePage({
    title: `Send ${o.id}?`,
    csrf: o.csrf,
    current: 'newsletters',
    body: `<h1>Send ${h(o.id)} now?</h1>
<section class="card">
<p>This sends <strong>${h(o.title)}</strong> to <strong>${o.lists.length > 1 ? 'up to ' : ''}${total} recipient${total === 1 ? '' : 's'}</strong> on the list${o.lists.length === 1 ? '' : 's'} ${h(listWords)}${
      o.lists.length > 1 ? ' (an address on two lists gets one message)' : ''
    }.</p>
<p class="muted">Active subscribers now; suppressed addresses are left out when the send starts. It cannot be undone; it can be paused or cancelled while it runs.</p>
<form method="post" action="${h(`${path}/send`)}" class="actions">${csrfField(o.csrf)}<button type="submit">Send now</button> <a href="${h(path)}">Back</a></form>
</section>`,
  });
}

export function cancelConfirmPage(s: Live, csrf: string): string {
  const path = editionPath(s.id);
  return consolePage({
    title: `Cancel ${s.id}?`,
    csrf,
    current: 'newsletters',
    body: `<h1>Cancel the send of ${h(s.id)}?</h1>
<section class="card">
<p>${s.sent} of ${s.total} recipients have been sent; the remaining ${s.remaining} will not get this edition. A cancelled send cannot be resumed.</p>
<form method="post" action="${h(`${path}/cancel`)}" class="actions">${csrfField(csrf)}<button type="submit" class="danger">Yes, cancel the send</button> <a href="${h(path)}">Keep sending</a></form>
</section>`,
  });
}

/** `addresses: false` (a viewer): the counts and the SMTP replies, no recipient's address. */
export function reportPage(o: { status: Live; rows: ReportRow[]; groups: FailureGroup[]; batch: number; batches: number; csrf: string; addresses?: boolean }): string {
  const hide = o.addresses === false;
  const s = o.status;
  const path = editionPath(s.id);
  const groups = o.groups.length
    ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Failures by SMTP reply"><table><caption class="muted">Failures grouped by SMTP reply</caption><thead><tr><th scope="col">SMTP reply</th><th scope="col">Outcome</th><th scope="col" class="num">Recipients</th><th scope="col">For example</th></tr></thead><tbody>${o.groups
        .map((g) => `<tr><td class="wrap">${h(g.reply)}</td><td>${h(g.outcome)}</td><td class="num">${g.count}</td><td class="wrap">${hide ? '' : h(g.sample.join(', '))}</td></tr>`)
        .join('')}</tbody></table></div>`
    : '<p>No failures.</p>';
  const rows = o.rows
    .map(
      (r) =>
        `<tr><td class="wrap">${h(r.email)}</td><td>${h(r.outcome)}${r.detail && r.outcome !== 'sent' ? ` <span class="muted">(${h(r.detail)})</span>` : ''}</td><td class="wrap">${h(r.messageId ? `<${r.messageId}>` : '')}</td><td class="wrap">${h(r.reply)}</td><td class="num">${r.attempts ?? ''}</td><td>${r.at ? `<time datetime="${h(r.at)}">${h(r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>` : ''}</td></tr>`,
    )
    .join('\n');
  const pager =
    o.batches > 1
      ? `<nav aria-label="Batches" class="actions">${o.batch > 0 ? `<a href="${h(`${path}/report?batch=${o.batch - 1}`)}">Previous batch</a>` : ''}<span>Batch ${o.batch + 1} of ${o.batches}</span>${
          o.batch + 1 < o.batches ? `<a href="${h(`${path}/report?batch=${o.batch + 1}`)}">Next batch</a>` : ''
        }</nav>`
      : '';
  return consolePage({
    title: `Report ${s.id}`,
    csrf: o.csrf,
    current: 'newsletters',
    body: `<p><a href="${h(path)}">Edition ${h(s.id)}</a> › Report</p>
<h1>Report of ${h(s.id)}</h1>
<section class="card" aria-labelledby="sum-h"><h2 id="sum-h">Summary: ${h(s.state)}</h2>
<dl class="counts">
<div><dt>Recipients</dt><dd>${s.total}</dd></div><div><dt>Sent</dt><dd>${s.sent}</dd></div><div><dt>Failed</dt><dd>${s.failed}</dd></div>
<div><dt>Suppressed</dt><dd>${s.suppressed}</dd></div><div><dt>Skipped</dt><dd>${s.skipped}</dd></div><div><dt>Not settled</dt><dd>${s.remaining}</dd></div>
</dl>
${hide ? '' : `<div class="actions"><a class="button" href="${h(`${path}/report.csv`)}" download>Download report (CSV)</a></div>`}
${groups}
</section>
${hide ? '<p class="muted">Recipients\' addresses are shown to editors and admins only.</p>' : `<section class="card" aria-labelledby="rows-h"><h2 id="rows-h">Every recipient</h2>
${pager}
<div class="table-wrap" tabindex="0" role="region" aria-label="Recipients"><table>
<thead><tr><th scope="col">Recipient</th><th scope="col">Outcome</th><th scope="col">Message-ID</th><th scope="col">SMTP reply</th><th scope="col" class="num">Attempts</th><th scope="col">Time (UTC)</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No recipients in the snapshot yet.</td></tr>'}
</tbody></table></div>
${pager}
</section>`}`,
  });
}
