/**
 * What every pipeline run starts from: a config in a temp folder that points at the
 * bundled example feed (a real 14-story edition on EDITION_DATE), a subscriber CSV, and
 * the same addresses for the baseline.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { loadConfig, getNewsletter } from '../src/config/load.js';
import type { DeliveryConfig, NewsletterConfig } from '../src/config/schema.js';
import { compileEdition } from '../src/compile-edition.js';
import type { RenderedEdition } from '../src/render/types.js';
import { packagePath } from '../src/paths.js';

export const NEWSLETTER = 'daily';
/** The example feed's stories fall in this edition's window (08:00 Asia/Tbilisi). */
export const EDITION_DATE = '2025-09-05';
export const editionIdOf = (newsletter: string) => `${newsletter}-${EDITION_DATE}`;
/** PUBLIC_URL of the CLI's default, so links in baseline and pipeline messages are alike. */
export const PUBLIC_URL = 'http://localhost:3000';
/** ≥ 16 bytes; the CLI refuses shorter secrets. */
export const SECRET = 'bench-secret-0123456789abcdef';

/**
 * Writes `brief.config.json` into `dir` and returns its path. Each id is a newsletter with a
 * list of the same name and the same feed: one worker can then send several editions of
 * 2025-09-05 in a row, one per run, without the edition id (newsletter + date) repeating.
 */
export function writeBenchConfig(dir: string, delivery: Partial<DeliveryConfig>, ids: string[] = [NEWSLETTER]): string {
  const example = JSON.parse(readFileSync(packagePath('examples', 'brief.config.json'), 'utf8')) as {
    newsletters: Array<Record<string, unknown>>;
  };
  const feed = packagePath('examples', 'feeds', 'caucasus-daily.xml');
  const newsletters = ids.map((id) => ({
    ...example.newsletters[0],
    id,
    lists: [id],
    // The feed's own dates: no shifting, so every run compiles the very same edition.
    sources: [{ type: 'rss', url: feed, shiftToWindow: false }],
  }));
  const file = path.join(dir, 'brief.config.json');
  writeFileSync(file, JSON.stringify({ newsletters, delivery, outboxDir: path.join(dir, 'outbox') }, null, 2));
  return file;
}

/** Subscriber i: a realistic address length; two in three have a name, one in ten is a member. */
export function subscriber(i: number): { email: string; name: string; member: boolean } {
  return {
    email: `reader.${i}@mail${i % 97}.example.org`,
    name: i % 3 === 0 ? '' : `Reader ${i}`,
    member: i % 10 === 0,
  };
}

/** Writes a CSV of subscribers 0..n-1 (email,name,member). */
export async function writeCsv(file: string, n: number): Promise<number> {
  const out = createWriteStream(file);
  out.write('email,name,member\n');
  const CHUNK = 10_000;
  for (let start = 0; start < n; start += CHUNK) {
    let text = '';
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      const s = subscriber(i);
      text += `${s.email},${s.name},${s.member ? 'yes' : ''}\n`;
    }
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return out.bytesWritten;
}

/** The real edition the pipeline sends, compiled in this process (for the baseline). */
export async function realEdition(
  configFile: string,
  id = NEWSLETTER,
): Promise<{ newsletter: NewsletterConfig; rendered: RenderedEdition; stories: number }> {
  const config = loadConfig(configFile);
  const newsletter = getNewsletter(config, id);
  const compiled = await compileEdition(config, newsletter, EDITION_DATE, { publicUrl: PUBLIC_URL });
  return { newsletter, rendered: compiled.rendered, stories: compiled.content.articles.length };
}
