import { describe, expect, it } from 'vitest';
import { testApp, waitFor, FIXTURE_DATE, type TestAppOptions } from '../helpers/app.js';
import { liveStack } from '../helpers/live-stack.js';
import { SmtpSink, type ReceivedMessage } from '../helpers/smtp-sink.js';
import { startHttpServer } from '../../src/http/server.js';
import { makeConfirmToken, verifyConfirmToken } from '../../src/delivery/tokens.js';
import { SIGNUP_ADDRESS_LIMIT, SIGNUP_CLIENT_LIMIT } from '../../src/signup/signup-service.js';

const ID = `daily-${FIXTURE_DATE}`;

describe('signup and double opt-in over real HTTP and SMTP', () => {
  const live = liveStack();

  async function setup(opts: TestAppOptions = {}) {
    live.sink = new SmtpSink();
    const url = await live.sink.start();
    live.t = await testApp({ smtpUrl: url, ...opts });
    live.worker = await live.t.app.startWorkers();
    live.http = await startHttpServer(live.t.app, { port: 0, host: '127.0.0.1' });
    return live.t;
  }

  const post = (path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return fetch(`${live.http!.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
  };

  const confirmationFor = (address: string, after = 0) =>
    waitFor(async () => live.sink!.messages.find((m) => m.rcpt.includes(address) && m.at >= after && /^confirm\./.test(m.messageId.slice(1))), 20_000, `confirmation to ${address}`);

  async function confirmPath(m: ReceivedMessage): Promise<string> {
    const parsed = await m.parse();
    const url = /https:\/\/brief\.example\.org(\/confirm\/[A-Za-z0-9_.-]+)/.exec(parsed.text ?? '')?.[1];
    expect(url, 'the text part carries the link').toBeDefined();
    expect(parsed.html).toContain(`https://brief.example.org${url}`);
    return url!;
  }

  it('sign up → confirmation email → GET changes nothing → POST confirms → the next edition reaches the address', async () => {
    await setup();
    const page = await fetch(`${live.http!.url}/subscribe/daily`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="email"');
    expect(html).toContain('class="hp"');

    const r = await post('/subscribe/daily', { email: 'New.Reader@Example.net', name: 'Nino' }, { 'user-agent': 'TestAgent/1.0' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Check your inbox');
    expect((await live.t!.app.subscribers.get('daily', 'new.reader@example.net'))?.status).toBe('pending');
    expect(await live.t!.app.subscribers.counts('daily')).toMatchObject({ active: 0, pending: 1 });

    const m = await confirmationFor('new.reader@example.net');
    expect(m.header('list-unsubscribe')).toBeUndefined();
    const parsed = await m.parse();
    expect(parsed.subject).toBe('Confirm your subscription to The Test Brief');
    const path = await confirmPath(m);
    const payload = verifyConfirmToken('test-secret-0123456789abcdef', path.slice('/confirm/'.length));
    expect(payload.expires - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(payload.expires - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);

    // GET (a mail scanner) shows a button and changes nothing.
    const ask = await fetch(`${live.http!.url}${path}`);
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('<button type="submit">Confirm subscription</button>');
    expect((await live.t!.app.subscribers.get('daily', 'new.reader@example.net'))?.status).toBe('pending');
    // A POST without the page's field is a scanner too.
    expect((await post(path, {})).status).toBe(200);
    expect((await live.t!.app.subscribers.get('daily', 'new.reader@example.net'))?.status).toBe('pending');

    const done = await post(path, { confirm: 'yes' });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain("You&#39;re subscribed");
    expect(doneHtml).toMatch(/href="\.\.\/p\/[A-Za-z0-9_.-]+"/);
    const s = await live.t!.app.subscribers.get('daily', 'new.reader@example.net');
    expect(s?.status).toBe('active');
    expect(s?.name).toBe('Nino');
    const consent = await live.t!.app.consent.get('daily', 'new.reader@example.net');
    expect(consent).toMatchObject({ source: 'form:daily', userAgent: 'TestAgent/1.0', wording: expect.stringMatching(/^sha256:/) });
    expect(consent?.client).toMatch(/^hash:/);
    expect(consent?.confirmedAt).toBeDefined();

    // Reused: refused with its own page.
    const again = await post(path, { confirm: 'yes' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already used');

    // The next edition reaches the address.
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => ((await live.t!.app.service.status(ID)).state === 'sent' ? true : undefined), 30_000, 'edition sent');
    const editions = live.sink!.messages.filter((m) => m.rcpt.includes('new.reader@example.net') && m.messageId.startsWith(`<${ID}.`));
    expect(editions).toHaveLength(1);
  });

  it('never mails a pending address with an edition', async () => {
    await setup();
    await live.t!.app.subscribers.add('daily', 'active@example.net');
    expect((await post('/subscribe/daily', { email: 'pending@example.net' })).status).toBe(200);
    await confirmationFor('pending@example.net');
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    const st = await waitFor(async () => {
      const x = await live.t!.app.service.status(ID);
      return x.state === 'sent' ? x : undefined;
    }, 30_000, 'edition sent');
    expect(st.total).toBe(1);
    expect(live.sink!.copies().has('pending@example.net')).toBe(true); // its confirmation only
    expect(live.sink!.messages.filter((m) => m.rcpt.includes('pending@example.net')).every((m) => /^<confirm\./.test(m.messageId))).toBe(true);
  });

  it('refuses expired and forged links with a clear page', async () => {
    await setup();
    const secret = 'test-secret-0123456789abcdef';
    const expired = makeConfirmToken(secret, { newsletter: 'daily', email: 'x@example.net', nonce: 'abcdefgh12345678', expires: Date.now() - 1000 });
    const r1 = await fetch(`${live.http!.url}/confirm/${expired}`);
    expect(r1.status).toBe(410);
    expect(await r1.text()).toContain('has expired');
    const r1p = await post(`/confirm/${expired}`, { confirm: 'yes' });
    expect(r1p.status).toBe(410);
    const forged = makeConfirmToken('another-secret-0123456789', { newsletter: 'daily', email: 'x@example.net', nonce: 'abcdefgh12345678', expires: Date.now() + 1e6 });
    const r2 = await post(`/confirm/${forged}`, { confirm: 'yes' });
    expect(r2.status).toBe(400);
    expect(await r2.text()).toContain("doesn&#39;t work");
    expect(await live.t!.app.subscribers.get('daily', 'x@example.net')).toBeNull();
  });

  it('answers the same (status and body) for new, pending, active, unsubscribed and suppressed addresses', async () => {
    await setup();
    const a = live.t!.app;
    await a.subscribers.add('daily', 'active@example.net');
    await a.subscribers.add('daily', 'unsub@example.net');
    await a.subscribers.setStatus('daily', 'unsub@example.net', 'unsubscribed');
    await a.subscribers.suppress('supp@example.net', 'test');
    await post('/subscribe/daily', { email: 'pending@example.net' });
    await confirmationFor('pending@example.net');
    const answers: Array<{ status: number; body: string }> = [];
    for (const email of ['new@example.net', 'pending@example.net', 'active@example.net', 'unsub@example.net', 'supp@example.net']) {
      const r = await post('/subscribe/daily', { email });
      answers.push({ status: r.status, body: (await r.text()).replaceAll(email, 'ADDRESS') });
      const j = await fetch(`${live.http!.url}/subscribe/daily`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      answers.push({ status: j.status, body: (await j.text()).replaceAll(email, 'ADDRESS') });
    }
    const html = answers.filter((_, i) => i % 2 === 0);
    const json = answers.filter((_, i) => i % 2 === 1);
    for (const x of html) expect(x).toEqual(html[0]);
    for (const x of json) expect(x).toEqual(json[0]);
    expect(html[0]!.status).toBe(200);
    // The unsubscribed address can come back through its confirmation; the suppressed one gets none.
    await confirmationFor('unsub@example.net');
    await confirmationFor('new@example.net');
    await new Promise((r) => setTimeout(r, 500));
    expect(live.sink!.messages.some((m) => m.rcpt.includes('supp@example.net'))).toBe(false);
    expect(live.sink!.messages.some((m) => m.rcpt.includes('active@example.net'))).toBe(false);
    expect((await a.subscribers.get('daily', 'unsub@example.net'))?.status).toBe('unsubscribed');
    const path = await confirmPath(await confirmationFor('unsub@example.net'));
    expect((await post(path, { confirm: 'yes' })).status).toBe(200);
    expect((await a.subscribers.get('daily', 'unsub@example.net'))?.status).toBe('active');
  });

  it('answers 429 with Retry-After beyond the per-address and per-client limits', async () => {
    await setup();
    for (let i = 0; i < SIGNUP_ADDRESS_LIMIT; i++) expect((await post('/subscribe/daily', { email: 'many@example.net' })).status).toBe(200);
    const r = await post('/subscribe/daily', { email: 'many@example.net' });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(3600);
    for (let i = SIGNUP_ADDRESS_LIMIT + 1; i < SIGNUP_CLIENT_LIMIT; i++) {
      expect((await post('/subscribe/daily', { email: `c${i}@example.net` })).status).toBe(200);
    }
    const c = await post('/subscribe/daily', { email: 'one-more@example.net' });
    expect(c.status).toBe(429);
    expect(Number(c.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(c.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    await new Promise((res) => setTimeout(res, 300));
    expect(live.sink!.messages.filter((m) => m.rcpt.includes('many@example.net')).length).toBeLessThanOrEqual(SIGNUP_ADDRESS_LIMIT);
  });

  it('does nothing for a filled honeypot, but answers as for a person', async () => {
    await setup();
    const r = await post('/subscribe/daily', { email: 'bot@example.net', website: 'http://spam.example' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Check your inbox');
    await new Promise((res) => setTimeout(res, 300));
    expect(await live.t!.app.subscribers.get('daily', 'bot@example.net')).toBeNull();
    expect(live.sink!.messages).toHaveLength(0);
  });

  it('offers the lists as checkboxes and activates only the chosen ones; refuses foreign origins', async () => {
    await setup({ lists: ['daily', 'weekend'], newsletter: { signup: { allowedOrigins: ['https://news.example.org'] } } });
    const html = await (await fetch(`${live.http!.url}/subscribe/daily`)).text();
    expect(html).toContain('type="checkbox" name="list" value="daily"');
    expect(html).toContain('type="checkbox" name="list" value="weekend"');
    expect((await post('/subscribe/daily', { email: 'two@example.net' }, { accept: 'application/json' })).status).toBe(400);
    const ok = await post('/subscribe/daily', { email: 'two@example.net', list: 'weekend' }, { origin: 'https://news.example.org' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://news.example.org');
    const bad = await post('/subscribe/daily', { email: 'three@example.net' , list: 'daily' }, { origin: 'https://evil.example.com' });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${live.http!.url}/subscribe/daily`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(403);
    const preOk = await fetch(`${live.http!.url}/subscribe/daily`, { method: 'OPTIONS', headers: { origin: 'https://news.example.org', 'access-control-request-method': 'POST' } });
    expect(preOk.status).toBe(204);
    expect(preOk.headers.get('access-control-allow-origin')).toBe('https://news.example.org');
    const path = await confirmPath(await confirmationFor('two@example.net'));
    expect((await post(path, { confirm: 'yes' })).status).toBe(200);
    expect((await live.t!.app.subscribers.get('weekend', 'two@example.net'))?.status).toBe('active');
    expect(await live.t!.app.subscribers.get('daily', 'two@example.net')).toBeNull();
    expect(await live.t!.app.subscribers.get('daily', 'three@example.net')).toBeNull();
  });

  it('with doubleOptIn false activates at once, and sends the welcome email when configured', async () => {
    await setup({ newsletter: { signup: { doubleOptIn: false, welcome: true, storeIp: 'full' } } });
    const r = await post('/subscribe/daily', { email: 'direct@example.net' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('Thank you');
    expect((await live.t!.app.subscribers.get('daily', 'direct@example.net'))?.status).toBe('active');
    const consent = await live.t!.app.consent.get('daily', 'direct@example.net');
    expect(consent?.client).toBe('127.0.0.1');
    expect(consent?.confirmedAt).toBe(consent?.at);
    const welcome = await waitFor(async () => live.sink!.messages.find((m) => m.rcpt.includes('direct@example.net')), 20_000, 'welcome');
    expect((await welcome.parse()).subject).toBe('Welcome to The Test Brief');
  });

  it("speaks the newsletter's language on the hosted page and in the confirmation email", async () => {
    await setup({ newsletter: { locale: 'ka-GE' } });
    const html = await (await fetch(`${live.http!.url}/subscribe/daily`)).text();
    expect(html).toContain('<html lang="ka-GE">');
    expect(html).toContain('ელფოსტის მისამართი');
    const r = await post('/subscribe/daily', { email: 'ka@example.net' });
    expect(await r.text()).toContain('შეამოწმეთ ფოსტა');
    const parsed = await (await confirmationFor('ka@example.net')).parse();
    expect(parsed.subject).toBe('დაადასტურეთ The Test Brief-ის გამოწერა');
    expect(parsed.text).toContain('გამოწერის დადასტურება');
    expect(parsed.html).toContain('lang="ka-GE"');
  });

  it('purges pending subscriptions after 30 days', async () => {
    await setup();
    await post('/subscribe/daily', { email: 'late@example.net' });
    await confirmationFor('late@example.net');
    await live.t!.app.redis.zadd(live.t!.app.keys.pendingSince(), Date.now() - 31 * 86_400_000, 'daily\tlate@example.net');
    const r = await live.t!.app.signup.purge();
    expect(r.pending).toBe(1);
    expect(await live.t!.app.subscribers.get('daily', 'late@example.net')).toBeNull();
    expect(await live.t!.app.subscribers.counts('daily')).toMatchObject({ pending: 0 });
  });

  it('sends a confirmation during a large send, before the send ends', async () => {
    await setup({ delivery: { batchSize: 200, ratePerSecond: 150, concurrency: 2 } });
    const rows = Array.from({ length: 2000 }, (_, i) => ({ address: `bulk${i}@example.net` }));
    await live.t!.app.subscribers.upsertMany('daily', rows);
    await live.t!.app.service.request('daily', FIXTURE_DATE);
    await waitFor(async () => ((await live.t!.app.service.status(ID)).sent > 100 ? true : undefined), 30_000, 'send under way');
    const started = Date.now();
    expect((await post('/subscribe/daily', { email: 'during@example.net' })).status).toBe(200);
    const m = await confirmationFor('during@example.net');
    const st = await live.t!.app.service.status(ID);
    expect(st.state).toBe('sending');
    expect(st.sent).toBeLessThan(2000);
    // 2,000 recipients at 150/s take over 13 s; the confirmation comes in seconds.
    expect(m.at - started).toBeLessThan(10_000);
    await waitFor(async () => ((await live.t!.app.service.status(ID)).state === 'sent' ? true : undefined), 60_000, 'edition sent');
  }, 90_000);
});
