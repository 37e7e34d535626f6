import { makeScriptEdition } from '../bench/fixtures.js';
import { compileEdition } from '../src/compile-edition.js';
import { EXAMPLE_CONFIG, loadConfig } from '../src/config/load.js';
import type { NewsletterConfig } from '../src/config/schema.js';
import { buildMessage } from '../src/delivery/build-message.js';
import { composeMessage } from '../src/delivery/compose-message.js';
import { renderEdition } from '../src/render/index.js';
import type { RenderedEdition, VariantName } from '../src/render/types.js';

/** Where links and the example's pictures point: `npm start`'s server. */
export const PUBLIC_URL = 'http://localhost:3000';
export const DATE = '2025-09-05';
const PICTURES = ['tbilisi-morning', 'kutaisi-storm', 'caspian-dusk', 'sevan-shore'];

export interface ExampleEdition {
  name: string;
  newsletter: NewsletterConfig;
  edition: RenderedEdition;
}

/** The bundled example newsletter's edition, as `npm start` compiles it (no Redis: nothing sent before). */
export async function englishExample(): Promise<ExampleEdition> {
  const config = loadConfig(EXAMPLE_CONFIG);
  const newsletter = config.newsletters[0]!;
  const compiled = await compileEdition(config, newsletter, DATE, { publicUrl: PUBLIC_URL });
  return { name: 'English example', newsletter, edition: compiled.rendered };
}

/** An edition of `n` stories in Georgian or Armenian (bench/fixtures.ts) with the example's pictures. */
export async function scriptEdition(lang: 'ka' | 'hy', n: number): Promise<ExampleEdition> {
  const { newsletter, content } = makeScriptEdition(lang, n);
  const picture = (i: number) => ({ imageUrl: `${PUBLIC_URL}/examples/images/${PICTURES[i % PICTURES.length]}.png`, imageWidth: 600, imageHeight: 338 });
  const articles = content.articles.map((a, i) => ({ ...a, ...picture(i) }));
  const byId = new Map(articles.map((a) => [a.id, a]));
  const same = <A extends { id: string }>(a: A) => byId.get(a.id) ?? a;
  const withPictures = {
    ...content,
    articles,
    lead: same(content.lead),
    picks: content.picks.map(same),
    sections: content.sections.map((s) => ({ ...s, articles: s.articles.map(same) })),
  };
  const edition = await renderEdition({ newsletter, content: withPictures, editionId: `daily-${DATE}`, archiveUrl: `${PUBLIC_URL}/archive/daily/${DATE}` });
  return { name: `${lang === 'ka' ? 'Georgian' : 'Armenian'} ${n}-story`, newsletter, edition };
}

/** One message of the edition's variant as it is sent (headers, both parts), for a reader with a name in the edition's script. */
export function exampleMessage(e: ExampleEdition, variant: VariantName, reader: { email: string; name: string }): string {
  const msg = buildMessage(
    { newsletter: e.newsletter, editionId: e.edition.editionId, archiveUrl: `${PUBLIC_URL}/archive/daily/${DATE}`, publicUrl: PUBLIC_URL, secret: 'check-mail-secret-0123456789' },
    e.edition.variants[variant],
    { ...reader, list: e.newsletter.lists[0] ?? 'daily' },
  );
  return composeMessage(msg).raw;
}

/** Bytes of each raw MIME part of a composed message, by content type. */
export function partSizes(raw: string): Record<string, { encoding: string; bytes: number }> {
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1];
  if (!boundary) return {};
  const out: Record<string, { encoding: string; bytes: number }> = {};
  for (const p of raw.split(`--${boundary}`).slice(1, -1)) {
    const part = p.replace(/^\r\n/, '');
    const type = /Content-Type: ([^;\r\n]+)/.exec(part)?.[1] ?? '?';
    out[type] = { encoding: /Content-Transfer-Encoding: (\S+)/.exec(part)?.[1] ?? '?', bytes: Buffer.byteLength(part) };
  }
  return out;
}
