import type { AuditEntry } from '../../audit/index.js';
import { AUDIT_ACTIONS } from '../../audit/index.js';
import { h } from '../page.js';
import { CONSOLE_PATH, consolePage } from './console-page.js';

/** The Activity page: the audit log, newest first, filtered by action. */
export function activityPage(o: { entries: AuditEntry[]; action?: string; csrf: string; limit: number }): string {
  const rows = o.entries
    .map(
      (e) =>
        `<tr><td><time datetime="${h(e.at)}">${h(e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td><td class="actor">${h(e.actor)}</td><td><span class="state">${h(e.action)}</span></td><td>${h(e.target)}</td><td>${h(e.detail)}</td><td>${h(e.ip)}</td></tr>`,
    )
    .join('');
  const options = ['', ...AUDIT_ACTIONS].map((a) => `<option value="${a}"${a === (o.action ?? '') ? ' selected' : ''}>${a || 'every action'}</option>`).join('');
  return consolePage({
    title: 'Activity',
    csrf: o.csrf,
    current: 'activity',
    body: `<h1>Activity</h1>
<form method="get" action="${CONSOLE_PATH}/activity" role="search" class="inline-form">
<label for="action">Action</label><select id="action" name="action">${options}</select>
<div class="actions"><button type="submit">Show</button></div>
</form>
${
  o.entries.length
    ? `<div class="table-wrap" tabindex="0" role="region" aria-label="Activity"><table id="activity"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Detail</th><th scope="col">From</th></tr></thead><tbody>${rows}</tbody></table></div>
<p class="muted">The newest ${o.limit} at most; <code>brief audit --since 7d</code> shows more.</p>`
    : '<p>Nothing recorded yet.</p>'
}`,
  });
}
