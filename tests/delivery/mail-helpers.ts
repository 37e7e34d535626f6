import { makeEdition, makeScriptEdition, newsletter as englishNewsletter } from '../../bench/fixtures.js';
import type { NewsletterConfig } from '../../src/config/schema.js';
import { buildMessage, type Recipient } from '../../src/delivery/build-message.js';
import type { MailTransport } from '../../src/delivery/transport.js';
import { renderEdition } from '../../src/render/index.js';
import type { RenderedEdition, VariantName } from '../../src/render/types.js';

export type Language = 'en' | 'ka' | 'hy';

/** A rendered edition of `n` stories in English, Georgian or Armenian, with the newsletter changed as given. */
export async function renderFor(lang: Language, n: number, change: Partial<NewsletterConfig> = {}): Promise<{ newsletter: NewsletterConfig; edition: RenderedEdition }> {
  const base = lang === 'en' ? { newsletter: englishNewsletter, content: makeEdition(n) } : makeScriptEdition(lang, n);
  const newsletter = { ...base.newsletter, ...change };
  const edition = await renderEdition({
    newsletter,
    content: base.content,
    editionId: `daily-2025-09-05`,
    archiveUrl: 'https://brief.example.org/archive/daily/2025-09-05',
  });
  return { newsletter, edition };
}

/** Sends one copy of the edition's variant to `r` through `transport`, as a batch would. */
export async function sendOne(
  transport: MailTransport,
  newsletter: NewsletterConfig,
  edition: RenderedEdition,
  r: Recipient,
  variant: VariantName = 'public',
) {
  const msg = buildMessage(
    {
      newsletter,
      editionId: edition.editionId,
      archiveUrl: 'https://brief.example.org/archive/daily/2025-09-05',
      publicUrl: 'https://brief.example.org',
      secret: 'test-secret-0123456789abcdef',
    },
    edition.variants[variant],
    r,
  );
  await transport.send(msg);
  return msg;
}
