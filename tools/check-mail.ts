/**
 * `npm run check:mail`: the bundled example's messages (public and member), a 30-story
 * Georgian and a 30-story Armenian edition, each scored by SpamAssassin with local tests
 * only (`spamassassin -L -t`, so the result is the same offline), with the rules that
 * fired and the HTML part's size against Gmail's 102 KB clip. Exits 1 when a message
 * scores above 0 or a part reaches the clip.
 */
import { spawnSync } from 'node:child_process';
import { GMAIL_CLIP_BYTES, clipWarning } from '../src/render/index.js';
import { spamassassin, spamassassinPath } from './spamassassin.js';
import { englishExample, exampleMessage, partSizes, scriptEdition } from './example-messages.js';

function ensureSpamassassin(): void {
  if (spamassassinPath()) return;
  process.stderr.write('check:mail: spamassassin is not installed; installing Debian\'s spamassassin (apt-get)\n');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) => spawnSync(sudo[0] ?? args[0]!, sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', 'spamassassin']);
  if (!spamassassinPath()) {
    process.stderr.write('check:mail: could not install spamassassin; install it (apt-get install spamassassin) and run again\n');
    process.exit(1);
  }
}

ensureSpamassassin();
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const en = await englishExample();
const ka = await scriptEdition('ka', 30);
const hy = await scriptEdition('hy', 30);
const messages = [
  { label: `${en.name}, public`, raw: exampleMessage(en, 'public', { email: 'ann@example.net', name: 'Ann Example' }) },
  { label: `${en.name}, member`, raw: exampleMessage(en, 'member', { email: 'ann@example.net', name: 'Ann Example' }) },
  { label: `${ka.name}, public`, raw: exampleMessage(ka, 'public', { email: 'nino@example.ge', name: 'ნინო ბერიძე' }) },
  { label: `${ka.name}, member`, raw: exampleMessage(ka, 'member', { email: 'nino@example.ge', name: 'ნინო ბერიძე' }) },
  { label: `${hy.name}, public`, raw: exampleMessage(hy, 'public', { email: 'ani@example.am', name: 'Անի Հակոբյան' }) },
];
let bad = 0;
for (const m of messages) {
  const report = spamassassin(m.raw);
  const parts = partSizes(m.raw);
  const html = parts['text/html'];
  const text = parts['text/plain'];
  process.stdout.write(`${m.label}: SpamAssassin ${report.score.toFixed(1)}; HTML part ${html ? `${kb(html.bytes)} (${html.encoding})` : 'missing'}, text part ${text ? `${kb(text.bytes)} (${text.encoding})` : 'missing'}\n`);
  for (const r of report.rules) process.stdout.write(`  ${r.points.toFixed(1).padStart(5)} ${r.name}  ${r.description}\n`);
  const near = html ? clipWarning(html.bytes) : null;
  if (near) process.stdout.write(`  warning: ${near}\n`);
  if (report.score > 0 || !html || Object.values(parts).some((p) => p.bytes >= GMAIL_CLIP_BYTES)) bad++;
}
process.stdout.write(bad ? `check:mail: ${bad} message(s) scored above 0 or reached the clip\n` : 'check:mail: every message scores 0 or less, every part under 102 KB\n');
process.exit(bad ? 1 : 0);
