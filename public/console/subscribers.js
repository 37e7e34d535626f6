// The subscribers page's import: the file goes up as text/csv and the server imports it as it
// arrives (the import reads no faster than Redis writes), so the upload's progress is the import's.
const form = document.getElementById('import-form');
if (form) {
  const bar = document.getElementById('import-progress');
  const out = document.getElementById('import-report');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const file = form.querySelector('input[type=file]').files[0];
    const list = form.querySelector('select, input[name=list]').value;
    if (!file) {
      out.textContent = 'Choose a CSV file first.';
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${form.dataset.action}?list=${encodeURIComponent(list)}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('x-csrf-token', form.querySelector('input[name=_csrf]').value);
    bar.hidden = false;
    bar.value = 0;
    out.textContent = `Importing ${file.name}…`;
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener('load', () => {
      bar.value = 100;
      let body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        out.textContent = `Import failed (HTTP ${xhr.status}).`;
        return;
      }
      if (xhr.status !== 200) {
        out.textContent = `Import failed: ${body.error ? body.error.message : xhr.status}`;
        return;
      }
      const r = body.report;
      out.replaceChildren();
      const h = document.createElement('h3');
      h.textContent = `Imported ${file.name} into ${list}`;
      const p = document.createElement('p');
      p.textContent = `${r.rows} rows: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.keptUnsubscribed} kept unsubscribed, ${r.suppressed} suppressed, ${r.duplicates} duplicates, ${r.invalidCount} bad lines.`;
      out.append(h, p);
      if (r.invalid.length) {
        const ul = document.createElement('ul');
        ul.className = 'plain';
        for (const bad of r.invalid) {
          const li = document.createElement('li');
          li.textContent = `line ${bad.line}: ${bad.reason}`;
          ul.append(li);
        }
        out.append(ul);
      }
    });
    xhr.addEventListener('error', () => {
      out.textContent = 'Import failed: the connection broke.';
    });
    xhr.send(file);
  });
}
