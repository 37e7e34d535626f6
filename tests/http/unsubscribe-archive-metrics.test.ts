import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, sendEdition, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { SmtpSink, type ReceivedMessage } from '../helpers/smtp-sink.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import { verifyToken, makeToken } from '../../src/delivery/tokens.js';

const ID = `daily-${FIXTURE_DATE}`;
const SECRET = 'test-secret-0123456789abcdef';
const READERS = ['ana@example.net', 'giorgi@example.net', 'nino@example.net', 'levan@example.net'];
const TITLES = ['Parliament passes the budget', 'New rail link opens', 'Harvest festival draws record crowds'];

/** The https URL of a message's List-Unsubscribe header (folded headers unfolded first). */
function listUnsubscribeUrl(m: ReceivedMessage): string {
  const head = m.head.replace(/\r?\n[ \t]+/g, ' ');
  const url = /^List-Unsubscribe:.*?<(https?:\/\/[^>]+)>/im.exec(head)?.[1];
  if (!url) throw new Error('no https List-Unsubscribe URL in the message');
  return url;
}

function metricValue(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || l.startsWith(`${name}{${labels},`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('subscribers over HTTP, after a real send', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let http: HttpServer;
  /** The message ana got, and her unsubscribe URL rebased onto the test server. */
  let message: ReceivedMessage;
  let unsubscribeUrl: string;

  const status = (email: string) => t.app.subscribers.get('daily', email).then((s) => s?.status);
  const form = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body, redirect: 'manual' });

  beforeAll(async () => {
    sink = new SmtpSink();
    t = await testApp({ smtpUrl: await sink.start() });
    for (const email of READERS) await t.app.subscribers.add('daily', email, { name: email.split('@')[0] });
    await sendEdition(t);
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
    message = sink.messages.find((m) => m.rcpt[0] === 'ana@example.net')!;
    unsubscribeUrl = listUnsubscribeUrl(message).replace(t.app.env.publicUrl, http.url);
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
    await sink?.stop();
  }, 60_000);

  it('sent one message per reader, each with a signed one-click link', () => {
    expect(sink.messages).toHaveLength(READERS.length);
    expect(unsubscribeUrl).toMatch(new RegExp(`^${http.url}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(message.head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  });

  it('GET of the unsubscribe link shows a confirm page and changes nothing', async () => {
    const before = await t.app.subscribers.countActive('daily');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(unsubscribeUrl);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'/);
      const html = await res.text();
      expect(html).toContain('Unsubscribe from The Test Brief?');
      expect(html).toContain('ana@example.net');
      expect(html).toMatch(/<form method="post">/);
      expect(html).toContain('name="viewport"');
    }
    expect(await status('ana@example.net')).toBe('active');
    expect(await t.app.subscribers.countActive('daily')).toBe(before);
  });

  it('refuses a forged, altered or truncated token with 400 and changes nothing', async () => {
    const token = unsubscribeUrl.split('/u/')[1]!;
    const [body, mac] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(['u', 'daily', 'giorgi@example.net', ID].join('\n')).toString('base64url');
    const variants = {
      forged: makeToken('another-secret-0123456789', { action: 'unsubscribe', list: 'daily', email: 'giorgi@example.net', edition: ID }),
      swapped: `${forgedBody}.${mac}`,
      altered: `${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      truncated: token.slice(0, token.length - 10),
      noMac: body,
      preferences: makeToken(SECRET, { action: 'preferences', list: 'daily', email: 'giorgi@example.net', edition: ID }),
    };
    for (const [what, bad] of Object.entries(variants)) {
      const url = `${http.url}/u/${bad}`;
      const get = await fetch(url);
      expect(get.status, `GET ${what}`).toBe(400);
      expect(await get.text()).toContain("This link doesn't work");
      const post = await form(url, 'List-Unsubscribe=One-Click');
      expect(post.status, `POST ${what}`).toBe(400);
      const page = await form(url, 'confirm=yes');
      expect(page.status, `form POST ${what}`).toBe(400);
    }
    for (const email of READERS) expect(await status(email)).toBe('active');
  });

  it('the RFC 8058 one-click POST unsubscribes at once and is idempotent', async () => {
    const before = await t.app.subscribers.countActive('daily');
    const res = await form(unsubscribeUrl, 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await status('ana@example.net')).toBe('unsubscribed');
    expect(await t.app.subscribers.countActive('daily')).toBe(before - 1);
    const again = await form(unsubscribeUrl, 'List-Unsubscribe=One-Click');
    expect(again.status).toBe(200);
    expect(await status('ana@example.net')).toBe('unsubscribed');
    expect(await t.app.subscribers.countActive('daily')).toBe(before - 1);
    // Nobody else was touched.
    for (const email of READERS.slice(1)) expect(await status(email)).toBe('active');
  });

  it('the one-click POST also works as multipart/form-data (RFC 8058 allows both)', async () => {
    const url = listUnsubscribeUrl(sink.messages.find((m) => m.rcpt[0] === 'nino@example.net')!).replace(t.app.env.publicUrl, http.url);
    const fd = new FormData();
    fd.set('List-Unsubscribe', 'One-Click');
    const res = await fetch(url, { method: 'POST', body: fd });
    expect(res.status).toBe(200);
    expect(await status('nino@example.net')).toBe('unsubscribed');
  });

  it("the confirm page's form unsubscribes and answers with a page", async () => {
    const url = listUnsubscribeUrl(sink.messages.find((m) => m.rcpt[0] === 'giorgi@example.net')!).replace(t.app.env.publicUrl, http.url);
    const res = await form(url, 'confirm=yes');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("You're unsubscribed");
    expect(await status('giorgi@example.net')).toBe('unsubscribed');
    const again = await form(url, 'confirm=yes');
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("You're unsubscribed");
    // The page links to the preferences page of the same address, with a token made for it.
    const prefs = /href="\.\.\/p\/([^"]+)"/.exec(html)?.[1];
    expect(prefs).toBeDefined();
    expect(verifyToken(SECRET, prefs!)).toMatchObject({ action: 'preferences', list: 'daily', email: 'giorgi@example.net' });
  });

  it('the preferences page shows the status and lets a self-unsubscribed reader rejoin, but not a bounced one', async () => {
    const prefsToken = makeToken(SECRET, { action: 'preferences', list: 'daily', email: 'giorgi@example.net', edition: ID });
    const url = `${http.url}/p/${prefsToken}`;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Unsubscribed');
    expect(html).toContain('value="join"');

    const joined = await form(url, 'list=daily&action=join');
    expect(joined.status).toBe(200);
    expect(await joined.text()).toContain('Welcome back');
    expect(await status('giorgi@example.net')).toBe('active');

    const left = await form(url, 'list=daily&action=leave');
    expect(left.status).toBe(200);
    expect(await status('giorgi@example.net')).toBe('unsubscribed');

    // A list the link does not manage, or a made-up action, is refused.
    expect((await form(url, 'list=other&action=join')).status).toBe(400);
    expect((await form(url, 'list=daily&action=delete')).status).toBe(400);

    await t.app.subscribers.setStatus('daily', 'levan@example.net', 'bounced');
    const levan = `${http.url}/p/${makeToken(SECRET, { action: 'preferences', list: 'daily', email: 'levan@example.net', edition: ID })}`;
    expect(await (await fetch(levan)).text()).not.toContain('value="join"');
    const refused = await form(levan, 'list=daily&action=join');
    expect(refused.status).toBe(409);
    expect(await status('levan@example.net')).toBe('bounced');
  });

  it('the archive page shows the stories and no subscriber data', async () => {
    const res = await fetch(`${http.url}/archive/daily/${FIXTURE_DATE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const html = await res.text();
    for (const title of TITLES) expect(html).toContain(title);
    for (const email of READERS) expect(html).not.toContain(email);
    expect(html).not.toMatch(/%%BRIEF_/);
    expect(html).not.toMatch(/\/u\/[A-Za-z0-9_-]{20,}/);
    expect(html).not.toMatch(/\/p\/[A-Za-z0-9_-]{20,}/);
    // No token of any received message appears on the page.
    for (const m of sink.messages) expect(html).not.toContain(listUnsubscribeUrl(m).split('/u/')[1]!);
    // The "view in browser" link of the email points here.
    expect((await message.parse()).html).toContain(`${t.app.env.publicUrl}/archive/daily/${FIXTURE_DATE}`);
  });

  it('/archive/daily lists the sent edition; a never-sent date, a bad date and an unknown newsletter are 404', async () => {
    const list = await fetch(`${http.url}/archive/daily`);
    expect(list.status).toBe(200);
    expect(await list.text()).toMatch(new RegExp(`href="daily/${FIXTURE_DATE}"`));
    for (const path of ['/archive/daily/2025-09-04', '/archive/daily/2025-13-45', '/archive/daily/nope', '/archive/weekly/2025-09-05', '/archive/weekly']) {
      const res = await fetch(`${http.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
    }
  });

  it('/metrics counts what was sent and the unsubscribes, cluster-wide from Redis', async () => {
    const res = await fetch(`${http.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(metricValue(text, 'brief_emails_sent_total', 'newsletter="daily"')).toBe(sink.messages.length);
    // ana (one-click), nino (multipart), giorgi (form), giorgi again (preferences: leave).
    expect(metricValue(text, 'brief_unsubscribes_total', 'newsletter="daily"')).toBe(4);
    expect(metricValue(text, 'brief_emails_failed_total', 'newsletter="daily",class="temporary"')).toBe(0);
    expect(metricValue(text, 'brief_emails_failed_total', 'newsletter="daily",class="permanent"')).toBe(0);
    expect(metricValue(text, 'brief_emails_suppressed_total', 'newsletter="daily"')).toBe(0);
    expect(text).toMatch(/^brief_queue_jobs\{queue="send-batch",state="completed"\} \d+$/m);
    expect(text).toMatch(/^brief_workers 0$/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
