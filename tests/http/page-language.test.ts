import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { pageText } from '../../src/http/page-language.js';
import { confirmUnsubscribePage, errorPage, preferencesNotice, preferencesPage, unsubscribedPage } from '../../src/http/subscriber-pages.js';

const base = { timezone: 'Asia/Tbilisi', schedule: '0 8 * * 1-5', sources: [{ url: './feed.xml' }] };
const config = parseConfig(
  {
    newsletters: [
      { ...base, id: 'ge', title: 'Brief', from: 'B <b@example.org>', locale: 'ka-GE', lists: ['ge'] },
      { ...base, id: 'am', title: 'Brief', from: 'B <b@example.org>', locale: 'hy-AM', lists: ['am'], strings: { 'page.unsubscribe.done': 'Պատրաստ է' } },
    ],
  },
  '/x/brief.config.json',
);

describe('subscriber pages speak the newsletter language', () => {
  it('finds the language through the token list, else the browser', () => {
    expect(pageText(config, { list: 'ge' }).lang).toBe('ka-GE');
    expect(pageText(config, { list: 'am' }).lang).toBe('hy-AM');
    expect(pageText(config, { acceptLanguage: 'ru-RU,ru;q=0.9' }).lang).toBe('ru');
    expect(pageText(config, { list: 'nope', acceptLanguage: 'fr' }).lang).toBe('en');
  });

  it('renders the unsubscribe pages in Georgian, escaping values once', () => {
    const p = pageText(config, { list: 'ge' });
    const html = confirmUnsubscribePage({ email: 'a<b>@example.org', label: 'Brief & Co', status: 'active', prefsHref: '../p/x' }, p);
    expect(html).toContain('<html lang="ka-GE">');
    expect(html).toContain('გავაუქმოთ Brief &amp; Co-ის გამოწერა?');
    expect(html).toContain('<span class="email">a&lt;b&gt;@example.org</span> აღარ მიიღებს Brief &amp; Co-ს.');
    expect(html).not.toMatch(/Unsubscribe|subscriptions/);
    expect(errorPage({ status: 404, code: 'ENOTFOUND', message: 'x' }, p)).toContain('ვერ მოიძებნა');
  });

  it("uses a newsletter's override and translates the preferences page", () => {
    const p = pageText(config, { list: 'am' });
    expect(unsubscribedPage({ email: 'a@example.org', label: 'Brief', outcome: 'unsubscribed', prefsHref: '../p/x' }, p)).toContain('<h1>Պատրաստ է</h1>');
    const notice = preferencesNotice('leave', 'unsubscribed', 'Brief', p);
    const html = preferencesPage({ email: 'a@example.org', suppressed: false, lists: [{ list: 'am', label: 'Brief', status: 'active' }], notice }, p);
    expect(html).toContain('Ձեր բաժանորդագրությունները');
    expect(html).toContain('Դուք դուրս եկաք Brief-ից։');
    expect(html).toContain('>Դուրս գալ</button>');
  });
});
