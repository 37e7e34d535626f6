/**
 * Issue 12, item 2: each MIME part goes out in whichever transfer encoding is smaller for
 * it, every part of a 30-story edition stays under Gmail's 102 KB clip in any script, and an
 * edition near the clip is warned about. Messages are composed as they are sent and read
 * back with mailparser.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { wrap as b64Wrap } from 'nodemailer/lib/base64';
import { buildMessage } from '../../src/delivery/build-message.js';
import { composeMessage } from '../../src/delivery/compose-message.js';
import { CLIP_WARN_BYTES, GMAIL_CLIP_BYTES, clipWarning, htmlPartBytes, personalise } from '../../src/render/index.js';
import type { RenderedEdition, VariantName } from '../../src/render/types.js';
import type { NewsletterConfig } from '../../src/config/schema.js';
import { renderFor, type Language } from '../delivery/mail-helpers.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { EditionStore } from '../../src/delivery/edition-store.js';
import { formatDetails } from '../../src/cli/edition-commands.js';

const ctx = (newsletter: NewsletterConfig, edition: RenderedEdition) => ({
  newsletter,
  editionId: edition.editionId,
  archiveUrl: 'https://brief.example.org/archive/daily/2025-09-05',
  publicUrl: 'https://brief.example.org',
  secret: 'test-secret-0123456789abcdef',
});

/** The raw parts of a composed multipart/alternative message: headers and encoded body. */
function rawParts(raw: string): Array<{ type: string; encoding: string; body: string; bytes: number }> {
  const boundary = /boundary="([^"]+)"/.exec(raw)![1]!;
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const part = p.replace(/^\r\n/, '');
      const [head, ...rest] = part.split('\r\n\r\n');
      return {
        type: /Content-Type: ([^;]+)/.exec(head!)![1]!,
        encoding: /Content-Transfer-Encoding: (\S+)/.exec(head!)![1]!,
        body: rest.join('\r\n\r\n'),
        bytes: Buffer.byteLength(part),
      };
    });
}

/** The other encoding of the same decoded body, as nodemailer would write it. */
function otherEncodingSize(decoded: string, encoding: string): number {
  const crlf = decoded.replace(/\r\n|\r|\n/g, '\r\n');
  return encoding === 'base64' ? qpWrap(qpEncode(crlf), 76).length : b64Wrap(Buffer.from(crlf, 'utf8').toString('base64'), 76).length;
}

const sizes: Record<string, number> = {};
const editions: Partial<Record<Language, { newsletter: NewsletterConfig; edition: RenderedEdition }>> = {};
beforeAll(async () => {
  for (const lang of ['en', 'ka', 'hy'] as const) editions[lang] = await renderFor(lang, 30);
}, 60_000);

describe('MIME part encodings and sizes of a 30-story edition', () => {
  for (const lang of ['en', 'ka', 'hy'] as const) {
    for (const variant of ['public', 'member'] as VariantName[]) {
      it(`${lang} ${variant}: each part in its smaller encoding, under 102 KB, decoding to the rendered edition`, async () => {
        const { newsletter, edition } = editions[lang]!;
        const r = { email: 'nino@example.ge', name: lang === 'en' ? 'Ann' : 'ნინო ბერიძე', list: 'daily' };
        const msg = buildMessage(ctx(newsletter, edition), edition.variants[variant], r);
        const { raw } = composeMessage(msg);
        const parts = rawParts(raw);
        expect(parts.map((p) => p.type)).toEqual(['text/plain', 'text/html']);
        const mail = await simpleParser(raw);
        const expected = personalise(edition.variants[variant], {
          name: r.name,
          email: r.email,
          unsubscribeUrl: /href="(https:\/\/brief\.example\.org\/u\/[^"]+)"/.exec(mail.html || '')![1]!,
          preferencesUrl: /href="(https:\/\/brief\.example\.org\/p\/[^"]+)"/.exec(mail.html || '')![1]!,
          viewInBrowserUrl: 'https://brief.example.org/archive/daily/2025-09-05',
        });
        expect(mail.html).toBe(expected.html.replace(/\r\n/g, '\n'));
        for (const p of parts) {
          const decoded = p.type === 'text/html' ? expected.html : expected.text;
          const other = otherEncodingSize(decoded, p.encoding);
          expect(p.body.trimEnd().length, `${p.type} as ${p.encoding}`).toBeLessThanOrEqual(other);
          expect(p.bytes, p.type).toBeLessThan(GMAIL_CLIP_BYTES);
        }
        // Georgian and Armenian letters are three bytes of UTF-8: nine as quoted-printable.
        if (lang !== 'en') expect(parts[1]!.encoding).toBe('base64');
        else expect(parts[1]!.encoding).toBe('quoted-printable');
        sizes[`${lang} ${variant}`] = parts[1]!.bytes;
      });
    }
  }

  it('measures the HTML part as sent, and warns only within 10% of the clip', () => {
    console.log('HTML part bytes, 30 stories:', JSON.stringify(sizes));
    const en = htmlPartBytes(editions.en!.edition);
    expect(en).toBeLessThan(CLIP_WARN_BYTES);
    expect(clipWarning(en)).toBeNull();
    const ka = editions.ka!.edition;
    const bytes = htmlPartBytes(ka);
    // As sent, not as rendered: base64 is a third larger than the text it carries.
    expect(bytes).toBeGreaterThan(Buffer.byteLength(ka.variants.member.html) * 1.3);
    expect(bytes).toBeLessThan(GMAIL_CLIP_BYTES);
    expect(bytes).toBeGreaterThanOrEqual(Math.max(...Object.values(sizes).slice(2, 4)));
    expect(CLIP_WARN_BYTES).toBe(Math.floor(102 * 1024 * 0.9));
    expect(clipWarning(CLIP_WARN_BYTES)).toMatch(/^size: the HTML part is 91\.8 KB, within 10% of Gmail's 102\.0 KB clip/);
  });
});

describe('the HTML part size in the edition status', () => {
  let r: TestRedis | undefined;
  afterEach(async () => r?.cleanup());

  it('is recorded when the edition is frozen, with a warning near the clip in the JSON and the status lines', async () => {
    r = await testRedis();
    const store = new EditionStore({ redis: r.redis, keys: r.keys });
    const { edition } = editions.en!;
    await store.create('daily-2025-09-05', 'daily', '2025-09-05');
    expect(await store.get('daily-2025-09-05')).toMatchObject({ htmlPartBytes: null, sizeWarning: null });
    await store.freeze('daily-2025-09-05', 'daily', edition, { count: 30, keys: [] });
    const small = (await store.get('daily-2025-09-05'))!;
    expect(small.htmlPartBytes).toBe(htmlPartBytes(edition));
    expect(small.sizeWarning).toBeNull();
    expect(formatDetails(small)).toEqual([]);

    // The same edition padded to 92 KB of markup: within 10% of the clip.
    const pad = (html: string) => html.replace('</body>', `<p>${'x'.repeat(92 * 1024 - html.length)}</p></body>`);
    const big: RenderedEdition = {
      ...edition,
      variants: {
        public: { ...edition.variants.public, html: pad(edition.variants.public.html) },
        member: { ...edition.variants.member, html: pad(edition.variants.member.html) },
      },
    };
    await store.create('daily-2025-09-06', 'daily', '2025-09-06');
    await store.freeze('daily-2025-09-06', 'daily', big, { count: 30, keys: [] });
    const near = (await store.get('daily-2025-09-06'))!;
    expect(near.htmlPartBytes).toBeGreaterThan(CLIP_WARN_BYTES);
    expect(near.sizeWarning).toMatch(/^size: the HTML part is \d+\.\d KB, within 10% of Gmail's 102\.0 KB clip/);
    expect(JSON.parse(JSON.stringify(near)).sizeWarning).toBe(near.sizeWarning);
    expect(formatDetails(near)).toEqual([`  warning: ${near.sizeWarning}`]);
  });
});
