import path from 'node:path';
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { BriefError, oneLine } from '../errors.js';
import type { FeedType, ListedItem } from '../articles/types.js';

/** How many titles the human output shows per source. */
const SHOWN_TITLES = 5;

export interface FeedCheckOptions {
  type?: FeedType;
  base?: string;
}

/** One line of `brief feeds check --json`. */
export type FeedCheckResult =
  | { source: string; ok: true; type: FeedType; articles: ListedItem[]; warnings: string[] }
  | { source: string; ok: false; error: string };

/** A check's JSON line, and how many of its items an edition could use. */
export interface FeedCheck {
  result: FeedCheckResult;
  usable: number;
}

/**
 * Reads one source exactly as an edition reads it (same fetch, limits, decoding, parsers
 * and normalisation), without Redis, and lists every item the parser found.
 */
export async function checkFeed(source: string, opts: FeedCheckOptions = {}, cwd = process.cwd()): Promise<FeedCheck> {
  const { loadSource } = await import('../articles/load-source.js');
  const url = /^(https?|file):/i.test(source) ? source : path.resolve(cwd, source);
  try {
    const r = await loadSource(
      { url, label: source, ...(opts.type ? { type: opts.type } : {}), ...(opts.base ? { baseUrl: opts.base } : {}) },
      { listItems: true },
    );
    return { result: { source, ok: true, type: r.type, articles: r.items ?? [], warnings: r.warnings }, usable: r.articles.length + r.undated.length };
  } catch (err) {
    return { result: { source, ok: false, error: oneLine(err) }, usable: 0 };
  }
}

/** The human report of one source: type, counts, the first titles with their dates, the warnings. */
export function formatFeedCheck({ result: r, usable }: FeedCheck): string[] {
  if (!r.ok) return [r.error];
  const lines = [`${r.source}: ${r.type}, ${usable} article${usable === 1 ? '' : 's'} (${r.articles.length} item${r.articles.length === 1 ? '' : 's'} found)`];
  for (const a of r.articles.slice(0, SHOWN_TITLES)) {
    const when = a.published ? a.published.replace(/\.000Z$/, 'Z') : 'no date             ';
    lines.push(`  ${when}  ${a.title || '(untitled)'}`);
  }
  if (r.articles.length > SHOWN_TITLES) lines.push(`  … and ${r.articles.length - SHOWN_TITLES} more`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

function parseBase(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new BriefError('EINPUT', `--base: "${value}" is not an http(s) URL`);
  }
  return url.href;
}

export function feedsCommand(ctx: CliContext): Command {
  const check = new Command('check')
    .description('read feeds as an edition would and show what was found (no Redis needed); exit 1 if any fails')
    .argument('<SOURCE...>', 'feed files or http(s) URLs')
    .addOption(new Option('--type <T>', 'the source type, as in the config (default: detected)').choices(['rss', 'atom', 'jsonfeed', 'wordpress']))
    .option('--base <URL>', 'base URL for relative links when the feed names none (the baseUrl source option)', parseBase)
    .option('--json', 'one JSON line per source')
    .action(async (sources: string[], opts: { type?: FeedType; base?: string; json?: boolean }) => {
      const checks = await Promise.all(sources.map((s) => checkFeed(s, { ...(opts.type ? { type: opts.type } : {}), ...(opts.base ? { base: opts.base } : {}) })));
      for (const check of checks) {
        const r = check.result;
        if (opts.json) ctx.stdout.write(JSON.stringify(r) + '\n');
        else if (r.ok) ctx.stdout.write(formatFeedCheck(check).join('\n') + '\n');
        else ctx.warn(`brief: ${r.error}`);
      }
      if (checks.some((c) => !c.result.ok)) process.exitCode = 1;
    });
  return new Command('feeds').description('check feeds before adding them to a newsletter').addCommand(check);
}
