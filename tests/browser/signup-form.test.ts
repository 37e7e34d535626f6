import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axeViolations, launchBrowser, newContext, PHONE } from '../helpers/browser.js';
import { testApp, waitFor, type TestApp } from '../helpers/app.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import type { WorkerRuntime } from '../../src/wiring.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { embedSnippet } from '../../src/http/signup-form.js';

/** A newsroom's site: serves one page with the embed snippet (and a fetch button for the JSON path). */
function site(html: () => string): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

describe('the signup form in a real browser', () => {
  let browser: Browser;
  let sink: SmtpSink;
  let t: TestApp;
  let worker: WorkerRuntime;
  let brief: HttpServer;
  let allowed: { server: http.Server; origin: string };
  let refused: { server: http.Server; origin: string };

  const page = () => `<!doctype html><html lang="en"><head><title>Newsroom</title></head><body><main><h1>Our newsletter</h1>
${embedSnippet(t.config.newsletters[0]!, brief.url)}
<button id="fetch" type="button">fetch</button><output id="out"></output>
<script>
document.getElementById('fetch').onclick = async () => {
  try {
    const r = await fetch(${JSON.stringify(`${brief.url}/subscribe/daily`)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fetch-' + location.port + '@example.net' }) });
    document.getElementById('out').textContent = 'status ' + r.status;
  } catch (e) { document.getElementById('out').textContent = 'blocked'; }
};
</script></main></body></html>`;

  beforeAll(async () => {
    browser = await launchBrowser();
    sink = new SmtpSink();
    const smtpUrl = await sink.start();
    allowed = await site(page);
    refused = await site(page);
    t = await testApp({ smtpUrl, newsletter: { signup: { allowedOrigins: [allowed.origin] } } });
    worker = await t.app.startWorkers();
    brief = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await brief?.close();
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
    for (const s of [allowed, refused]) await new Promise((r) => s?.server.close(r));
  });

  const mailTo = (address: string) => waitFor(async () => sink.messages.find((m) => m.rcpt.includes(address)), 20_000, `mail to ${address}`);

  it('fills in the hosted form, which passes WCAG AA at phone width, and confirms through the emailed link', async () => {
    // CSP bypassed only so that axe-core can be injected; the page itself runs no script.
    const ctx = await browser.newContext({ viewport: PHONE, bypassCSP: true });
    const p = await ctx.newPage();
    await p.goto(`${brief.url}/subscribe/daily`);
    expect(await axeViolations(p)).toEqual([]);
    const trap = await p.locator('input[name="website"]').boundingBox();
    expect(trap!.x).toBeLessThan(-1000); // the honeypot is off-screen
    await p.getByLabel('Email address').fill('hosted@example.net');
    await p.getByLabel('Name (optional)').fill('Hosted Reader');
    await p.getByRole('button', { name: 'Subscribe' }).click();
    await p.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const mail = await mailTo('hosted@example.net');
    const link = /https:\/\/brief\.example\.org(\/confirm\/[A-Za-z0-9_.-]+)/.exec((await mail.parse()).text ?? '')![1]!;
    await p.goto(`${brief.url}${link}`);
    expect((await t.app.subscribers.get('daily', 'hosted@example.net'))?.status).toBe('pending');
    await p.getByRole('button', { name: 'Confirm subscription' }).click();
    await p.getByRole('heading', { name: "You're subscribed" }).waitFor();
    expect((await t.app.subscribers.get('daily', 'hosted@example.net'))?.status).toBe('active');
    await ctx.close();
  }, 60_000);

  it('the embed snippet works from an allowed origin and is refused from another', async () => {
    const ctx = await newContext(browser);
    const p = await ctx.newPage();
    await p.goto(allowed.origin);
    await p.getByLabel('Email address').fill('embed-ok@example.net');
    await p.getByRole('button', { name: 'Subscribe' }).click();
    await p.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await mailTo('embed-ok@example.net');
    expect((await t.app.subscribers.get('daily', 'embed-ok@example.net'))?.status).toBe('pending');

    await p.goto(refused.origin);
    await p.getByLabel('Email address').fill('embed-refused@example.net');
    const [response] = await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Subscribe' }).click()]);
    expect(response?.status()).toBe(403);
    expect(await p.textContent('main')).toContain('This form cannot be used from that site.');
    expect(await t.app.subscribers.get('daily', 'embed-refused@example.net')).toBeNull();

    // fetch() with JSON: CORS lets the allowed origin read the answer; the other is blocked.
    await p.goto(allowed.origin);
    await p.click('#fetch');
    await p.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('out').textContent !== '');
    expect(await p.textContent('#out')).toBe('status 200');
    await p.goto(refused.origin);
    await p.click('#fetch');
    await p.waitForFunction(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('out').textContent !== '');
    expect(await p.textContent('#out')).toBe('blocked');
    const refusedPort = new URL(refused.origin).port;
    expect(await t.app.subscribers.get('daily', `fetch-${refusedPort}@example.net`)).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.some((m) => m.rcpt.includes('embed-refused@example.net'))).toBe(false);
    await ctx.close();
  }, 60_000);
});
