// The edition page's live view: one Server-Sent Events stream, no polling loop here.
const live = document.getElementById('live');
if (live && window.EventSource) {
  const set = (name, value) => {
    for (const el of live.querySelectorAll(`[data-field="${name}"]`)) el.textContent = value;
  };
  const fmtEta = (s) => (s === null ? 'unknown' : s === 0 ? 'done' : s < 90 ? `${s} s` : `${Math.round(s / 60)} min`);
  const show = (sel, on) => {
    for (const el of document.querySelectorAll(sel)) el.hidden = !on;
  };
  const source = new EventSource(live.dataset.events);
  source.addEventListener('status', (e) => {
    const s = JSON.parse(e.data);
    for (const k of ['state', 'total', 'sent', 'failed', 'suppressed', 'skipped', 'remaining']) set(k, String(s[k]));
    set('rate', `${s.ratePerSecond.toFixed(1)}/s`);
    set('eta', fmtEta(s.etaSeconds));
    set('percent', `${s.percent}%`);
    const bar = live.querySelector('progress');
    if (bar) {
      bar.max = Math.max(1, s.total);
      bar.value = s.total - s.remaining;
    }
    const running = s.state === 'sending' || s.state === 'scheduled';
    show('[data-when="pausable"]', running);
    show('[data-when="paused"]', s.state === 'paused');
    show('[data-when="cancellable"]', running || s.state === 'paused');
    show('[data-when="finished"]', ['sent', 'cancelled', 'failed'].includes(s.state));
    if (s.final) source.close();
  });
}
