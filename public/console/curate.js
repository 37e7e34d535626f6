// The edition page's curation: each small form is sent in the background (with its CSRF
// token, as the form would), the curation block comes back re-rendered, and only the
// preview frame reloads. Without script the forms post and the page reloads instead.
// `window.briefLastPreview` holds how long the last change took to show in the preview (ms).
const frame = document.querySelector('iframe.preview-frame');

function bind(root) {
  for (const form of root.querySelectorAll('form[data-curate]')) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const started = performance.now();
      const status = document.querySelector('[data-curate-status]');
      if (status) status.textContent = 'Saving…';
      const res = await fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin',
      });
      let body;
      try {
        body = await res.json();
      } catch {
        if (status) status.textContent = `Not saved (HTTP ${res.status}): reload the page and try again.`;
        return;
      }
      const section = document.getElementById('curation');
      const tpl = document.createElement('template');
      tpl.innerHTML = body.html;
      const fresh = tpl.content.firstElementChild;
      if (section && fresh) {
        section.replaceWith(fresh);
        bind(fresh);
      }
      const out = document.querySelector('[data-curate-status]');
      if (out) out.textContent = body.message;
      if (!frame || body.bad) return;
      const url = new URL(frame.src, location.href);
      url.searchParams.set('v', String(Date.now()));
      frame.addEventListener(
        'load',
        () => {
          window.briefLastPreview = Math.round(performance.now() - started);
          document.body.dataset.previewMs = String(window.briefLastPreview);
        },
        { once: true },
      );
      frame.src = url.toString();
    });
  }
}
bind(document);
