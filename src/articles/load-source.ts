import { BriefError, FeedError } from '../errors.js';
import type { FeedType, FetchOptions, SourceResult } from './types.js';
import { isWordPressPostsUrl } from './detect-type.js';
import { fetchSource } from './fetch-source.js';
import { normaliseFeed } from './normalise-feed.js';
import { parseFeed, readFeed } from './parse-feed.js';

export interface SourceToLoad {
  /** Absolute file path or http(s) URL (config-relative paths already resolved). */
  url: string;
  /** Names the source in Article.source, warnings and errors. */
  label: string;
  /** Detected from the content when omitted. */
  type?: FeedType;
  /** The base for relative links when the feed names none (the source option `baseUrl`). */
  baseUrl?: string;
}

/** WordPress answers at most 100 posts a page; 20 pages is far more than a day's news. */
export const WORDPRESS_MAX_PAGES = 20;
const WORDPRESS_PER_PAGE = 100;
const WORDPRESS_CONCURRENCY = 4;

/**
 * Fetches and parses one source. WordPress REST sources over http(s) are read page by
 * page (following `X-WP-TotalPages`) and asked only for the edition's window.
 */
export async function loadSource(source: SourceToLoad, opts: FetchOptions = {}): Promise<SourceResult> {
  const { url, label, type } = source;
  const isHttp = /^https?:\/\//i.test(url);
  try {
    if (isHttp && (type === 'wordpress' || (!type && isWordPressPostsUrl(url)))) return await loadWordPress(source, opts);
    const fetched = await fetchSource(url, { ...opts, label });
    return parseFeed(fetched.bytes, {
      label,
      url: fetched.url,
      ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
      ...(type ? { type } : {}),
      ...(opts.membersOnlyTag ? { membersOnlyTag: opts.membersOnlyTag } : {}),
      ...(source.baseUrl ? { baseUrl: source.baseUrl } : {}),
      ...(opts.listItems ? { listItems: true } : {}),
    });
  } catch (err) {
    if (err instanceof BriefError) throw err;
    // A bug in a parser must still fail as one line that names the feed.
    throw new FeedError(label, `cannot read the feed: ${(err as Error).message?.split('\n')[0] ?? String(err)}`, { cause: err });
  }
}

async function loadWordPress(source: SourceToLoad, opts: FetchOptions): Promise<SourceResult> {
  const { label } = source;
  const readPage = async (page: number) => {
    const fetched = await fetchSource(wordPressPageUrl(source.url, page, opts.window), { ...opts, label: `${label} (page ${page})` });
    const { feed } = readFeed(fetched.bytes, {
      label: `${label} (page ${page})`,
      type: 'wordpress',
      ...(fetched.contentType ? { contentType: fetched.contentType } : {}),
    });
    return { fetched, feed };
  };

  const firstPage = await readPage(1);
  const total = Number.parseInt(firstPage.fetched.headers.get('x-wp-totalpages') ?? '1', 10) || 1;
  const pages = Math.max(1, Math.min(total, WORDPRESS_MAX_PAGES));
  // A few pages at a time: quicker than one by one, without hammering a newsroom's server.
  const rest: Array<Awaited<ReturnType<typeof readPage>>> = [];
  for (let page = 2; page <= pages; page += WORDPRESS_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(WORDPRESS_CONCURRENCY, pages - page + 1) }, (_, i) => readPage(page + i));
    rest.push(...(await Promise.all(batch)));
  }

  const normalised = normaliseFeed(
    { items: [firstPage, ...rest].flatMap((p) => p.feed.items) },
    {
      label,
      feedUrl: firstPage.fetched.url,
      ...(opts.membersOnlyTag ? { membersOnlyTag: opts.membersOnlyTag } : {}),
      ...(source.baseUrl ? { baseUrl: source.baseUrl } : {}),
      ...(opts.listItems ? { listItems: true } : {}),
    },
  );
  if (total > WORDPRESS_MAX_PAGES) {
    normalised.warnings.push(`${label}: ${total} pages of posts in the window; only the first ${WORDPRESS_MAX_PAGES} were read`);
  }
  return { source: label, type: 'wordpress', ...normalised };
}

/** `…/wp-json/wp/v2/posts?_embed&after=…&before=…&per_page=100&page=N`, keeping any query the config gave. */
export function wordPressPageUrl(base: string, page: number, window?: { start: string; end: string }): string {
  const url = new URL(base);
  const params = url.searchParams;
  params.set('_embed', '');
  if (window) {
    params.set('after', wpDate(Date.parse(window.start)));
    // `before` is exclusive in WordPress, while an edition's window includes its end.
    params.set('before', wpDate(Date.parse(window.end) + 1000));
  }
  if (!params.has('per_page')) params.set('per_page', String(WORDPRESS_PER_PAGE));
  params.set('page', String(page));
  return url.href;
}

function wpDate(ms: number): string {
  if (!Number.isFinite(ms)) throw new BriefError('EINPUT', 'window start and end must be ISO 8601 instants');
  // WordPress's rest_parse_date accepts RFC 3339 without fractional seconds everywhere.
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
