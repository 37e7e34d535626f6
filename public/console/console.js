// Every console page: shows the times in <time data-local> in the browser's own zone too.
for (const el of document.querySelectorAll('time[data-local]')) {
  const d = new Date(el.getAttribute('datetime'));
  if (Number.isNaN(d.getTime())) continue;
  const out = document.createElement('span');
  out.className = 'muted';
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  out.textContent = ` (your time: ${d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}, ${zone})`;
  el.after(out);
}
