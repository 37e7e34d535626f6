/**
 * Render benchmark: our full compile of an edition (Handlebars + MJML for both variants)
 * against a bare `mjml2html` of the same MJML with the same options, and `personalise`
 * per recipient. Run `node dist/bench/render.js [stories] [recipients]` after a build.
 * Targets: compile ≤ 2× bare mjml2html; personalise ≤ 20 µs per recipient.
 */
import { pathToFileURL } from 'node:url';
import mjml2html from 'mjml';
import { mjmlOptions } from '../src/render/compile-mjml.js';
import { personalise } from '../src/render/personalise.js';
import { prepareEdition, renderEdition, type RenderEditionInput } from '../src/render/render-edition.js';
import type { RecipientFields } from '../src/render/types.js';
import { makeEdition, newsletter } from './fixtures.js';

export interface RenderBenchResult {
  /** Median ms of `renderEdition` (both variants). */
  compileMs: number;
  /** Median ms of bare `mjml2html` of both variants' MJML, same options. */
  bareMjmlMs: number;
  /** compileMs / bareMjmlMs: the cost of everything that is ours. */
  ratio: number;
  /** Median µs of one `personalise` call (the target: ≤ 20 µs). */
  personaliseUsPerRecipient: number;
  /**
   * The same plus one read of each result, which makes V8 copy the joined pieces into one
   * flat string: a cost the sender pays anyway when it encodes the message, shown for scale.
   */
  personaliseFlatUsPerRecipient: number;
  /** UTF-8 bytes of one personalised public HTML part (Gmail clips at 102 KB). */
  htmlBytes: number;
}

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function recipient(i: number): RecipientFields {
  const token = `${i.toString(36)}.${(i * 2654435761) % 4294967296}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg`;
  return {
    name: i % 3 === 0 ? '' : `Reader ${i} O'Brien`,
    email: `reader${i}@example.org`,
    unsubscribeUrl: `https://brief.example.org/u/${token}`,
    preferencesUrl: `https://brief.example.org/preferences/${token}`,
    viewInBrowserUrl: 'https://brief.example.org/archive/daily/2025-09-05',
  };
}

export async function benchRender(
  opts: { stories?: number; recipients?: number; runs?: number } = {},
): Promise<RenderBenchResult> {
  const stories = opts.stories ?? 30;
  const recipients = opts.recipients ?? 10_000;
  const runs = opts.runs ?? RUNS;
  const input: RenderEditionInput = {
    newsletter,
    content: makeEdition(stories),
    editionId: 'daily:2025-09-05',
    archiveUrl: 'https://brief.example.org/archive/daily/2025-09-05',
  };
  const { sources, templates, templatesDir } = await prepareEdition(input);
  const options = mjmlOptions(templatesDir, templates.mjmlFile);
  const bare = () => Promise.all(sources.map((s) => mjml2html(s.mjml, options)));

  // Warm-up: module loading, JIT, the template cache.
  for (let i = 0; i < 2; i++) {
    await renderEdition(input);
    await bare();
  }
  // Interleaved, so drift in machine load hits both sides alike.
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await renderEdition(input);
    ours.push(performance.now() - t);
    t = performance.now();
    await bare();
    theirs.push(performance.now() - t);
  }

  const edition = await renderEdition(input);
  const variant = edition.variants.public;
  const people = Array.from({ length: recipients }, (_, i) => recipient(i));
  let sink = 0;
  const timePerRecipient = (flatten: boolean): number => {
    const t = performance.now();
    for (const fields of people) {
      const { html, text } = personalise(variant, fields);
      sink += flatten ? html.charCodeAt(html.length - 1) + text.charCodeAt(text.length - 1) : html.length + text.length;
    }
    return ((performance.now() - t) * 1000) / recipients;
  };
  timePerRecipient(true); // warm-up; also splits the variant into its cached parts
  const joined: number[] = [];
  const flat: number[] = [];
  for (let run = 0; run < runs; run++) {
    joined.push(timePerRecipient(false));
    flat.push(timePerRecipient(true));
  }
  if (sink === 0) throw new Error('unreachable: keeps the loops from being optimised away');

  const htmlBytes = Buffer.byteLength(personalise(variant, recipient(1)).html, 'utf8');
  const compileMs = median(ours);
  const bareMjmlMs = median(theirs);
  return {
    compileMs,
    bareMjmlMs,
    ratio: compileMs / bareMjmlMs,
    personaliseUsPerRecipient: median(joined),
    personaliseFlatUsPerRecipient: median(flat),
    htmlBytes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stories = Number(process.argv[2] ?? 30);
  const recipients = Number(process.argv[3] ?? 10_000);
  const r = await benchRender({ stories, recipients });
  const rows: [string, string, string][] = [
    ['edition compile (2 variants)', `${r.compileMs.toFixed(1)} ms`, ''],
    ['bare mjml2html (2 variants)', `${r.bareMjmlMs.toFixed(1)} ms`, ''],
    ['ratio', r.ratio.toFixed(2), r.ratio <= 2 ? 'ok (≤ 2)' : 'OVER (≤ 2)'],
    ['personalise / recipient', `${r.personaliseUsPerRecipient.toFixed(2)} µs`, r.personaliseUsPerRecipient <= 20 ? 'ok (≤ 20)' : 'OVER (≤ 20)'],
    ['  + flattening the result', `${r.personaliseFlatUsPerRecipient.toFixed(2)} µs`, 'for scale'],
    ['HTML size', `${(r.htmlBytes / 1024).toFixed(1)} KiB`, r.htmlBytes < 102 * 1024 ? 'ok (< 102)' : 'OVER (< 102)'],
  ];
  console.log(`render bench: ${stories} stories, ${recipients} recipients, median of ${RUNS} runs`);
  for (const [what, value, verdict] of rows) console.log(`${what.padEnd(30)} ${value.padStart(12)}  ${verdict}`);
}
