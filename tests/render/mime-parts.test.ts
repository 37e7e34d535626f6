import { beforeAll, describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer';
import { simpleParser } from 'mailparser';
import {
  PLACEHOLDERS,
  personalise,
  personaliseParts,
  renderEdition,
  type CompiledVariant,
  type RecipientFields,
} from '../../src/render/index.js';
import { ARCHIVE_URL, makeEdition, newsletter, recipient } from './helpers.js';

/** The message nodemailer writes around the parts, parsed back as a mail client would. */
async function roundTrip(variant: CompiledVariant, fields: RecipientFields) {
  const parts = personaliseParts(variant, fields);
  const raw = await new MailComposer({
    from: 'Brief <brief@example.org>',
    to: fields.email,
    subject: variant.subject,
    text: { raw: parts.text },
    html: { raw: parts.html },
  })
    .compile()
    .build();
  const mail = await simpleParser(raw);
  return { parts, raw: raw.toString('latin1'), html: mail.html || '', text: mail.text || '' };
}

const lf = (s: string) => s.replace(/\r\n/g, '\n');

function longestLine(raw: string): number {
  return Math.max(...raw.split('\r\n').map((l) => l.length));
}

function variantOf(html: string, text: string): CompiledVariant {
  return { variant: 'public', subject: 'S', preheader: '', html, text };
}

describe('personaliseParts', () => {
  let variant: CompiledVariant;
  beforeAll(async () => {
    const edition = await renderEdition({ newsletter, content: makeEdition(12), editionId: 'e', archiveUrl: ARCHIVE_URL });
    variant = edition.variants.public;
  });

  it('decodes to exactly what personalise returns, with every line within 76 characters', async () => {
    for (const fields of [
      recipient(),
      recipient({ name: '' }),
      recipient({ name: '<b>Ann & "Bo"</b> = 100% ', unsubscribeUrl: `https://brief.example.org/u/${'x'.repeat(300)}?a=1&b='2'` }),
      recipient({ name: 'ნინო ბერიძე', email: 'nino@example.ge' }),
    ]) {
      const expected = personalise(variant, fields);
      const got = await roundTrip(variant, fields);
      expect(got.parts.html).toMatch(/^Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n/);
      expect(got.html).toBe(lf(expected.html));
      expect(got.text.trimEnd()).toBe(lf(expected.text).trimEnd());
      expect(longestLine(got.raw)).toBeLessThanOrEqual(76);
    }
  });

  it('keeps recipients apart when the cached encoding is reused', async () => {
    const ann = await roundTrip(variant, recipient());
    const bo = await roundTrip(variant, recipient({ name: 'Bo', unsubscribeUrl: 'https://brief.example.org/u/bo' }));
    expect(ann.html).toContain('https://brief.example.org/u/tok3n-ann');
    expect(ann.html).not.toContain('/u/bo"');
    expect(bo.html).toContain('href="https://brief.example.org/u/bo"');
    expect(bo.html).toContain('Good morning, Bo.');
  });

  it('sends every line break as CRLF, lone CRs and LFs included', async () => {
    const v = variantOf(`<p>a\rb\nc\r\n${PLACEHOLDERS.name}</p>`, `a\rb\nc\r\n${PLACEHOLDERS.name}\n`);
    const got = await roundTrip(v, recipient());
    expect(got.raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  });

  it('uses base64 for a mostly non-Latin body (the smaller encoding for it), and still decodes exactly', async () => {
    const georgian = 'საქართველოს ამბები დღეს. '.repeat(200);
    const v = variantOf(
      `<p>${georgian}</p><p>${PLACEHOLDERS.greeting}</p><a href="${PLACEHOLDERS.unsubscribeUrl}">გამოწერის გაუქმება</a>`,
      `${georgian}\n${PLACEHOLDERS.greeting}\n${PLACEHOLDERS.unsubscribeUrl}\n`,
    );
    const fields = recipient({ name: 'ნინო & <co>' });
    const got = await roundTrip(v, fields);
    expect(got.parts.html).toContain('Content-Transfer-Encoding: base64');
    expect(got.parts.text).toContain('Content-Transfer-Encoding: base64');
    const expected = personalise(v, fields);
    expect(got.html).toBe(expected.html);
    expect(got.html).toContain('ნინო &amp; &lt;co&gt;');
    expect(got.text.trimEnd()).toBe(expected.text.trimEnd());
    expect(longestLine(got.raw)).toBeLessThanOrEqual(76);
  });

  it('never lets a value end a line with bare whitespace, add a part or change a part header', async () => {
    const v = variantOf(`<p>${PLACEHOLDERS.name}</p>`, `Hi ${PLACEHOLDERS.name}\nbye\n`);
    const fields = recipient({ name: 'Ann   \r\nBcc: evil@example.org\r\n\r\n--boundary' });
    const got = await roundTrip(v, fields);
    for (const line of got.raw.split('\r\n')) expect(line).not.toMatch(/[ \t]$/);
    // Each part still opens with its own two header lines, and the value is in the body.
    expect(got.parts.text.split('\r\n\r\n')[0]).toBe('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
    expect(got.parts.html.split('\r\n\r\n')[0]).toBe('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable');
    const mail = await simpleParser(got.raw);
    expect(mail.attachments).toHaveLength(0);
    expect(mail.bcc).toBeUndefined();
    expect(got.text).toBe(lf(personalise(v, fields).text));
    expect(got.html).toBe(lf(personalise(v, fields).html));
  });
});
