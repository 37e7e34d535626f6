import { FeedError } from '../errors.js';
import type { FeedType, SourceResult } from './types.js';
import type { ParsedFeed } from './feed-item.js';
import { decodeFeedText } from './decode-text.js';
import { detectJsonFeedType, detectXmlFeedType, firstSignificantChar, xmlRootName } from './detect-type.js';
import { normaliseFeed } from './normalise-feed.js';
import { parseAtom } from './parse-atom.js';
import { parseJsonFeed } from './parse-json-feed.js';
import { parseRss } from './parse-rss.js';
import { parseWordPress } from './parse-wordpress.js';
import { parseXml, type ParsedXml } from './xml.js';

export interface ParseFeedOptions {
  /** Names the feed in Article.source, warnings and errors. */
  label: string;
  /** The URL the bytes came from, when http(s): the base for relative links. */
  url?: string;
  /** The HTTP Content-Type, for its charset. */
  contentType?: string;
  /** The configured type; detected from the content when omitted. */
  type?: FeedType;
  /** @defaultValue "members-only" */
  membersOnlyTag?: string;
  /** The source's `baseUrl`: the base for relative links when the feed names none. */
  baseUrl?: string;
  /** Also list every item as found (for `brief feeds check`). @defaultValue false */
  listItems?: boolean;
}

const TYPE_NAMES: Record<FeedType, string> = {
  rss: 'an RSS feed',
  atom: 'an Atom feed',
  jsonfeed: 'a JSON Feed',
  wordpress: 'a WordPress posts list',
};

/** Decodes, recognises and parses one feed document into Articles (and skip warnings). */
export function parseFeed(bytes: Buffer, opts: ParseFeedOptions): SourceResult {
  const { type, feed } = readFeed(bytes, opts);
  const normalised = normaliseFeed(feed, {
    label: opts.label,
    ...(opts.url && /^https?:/i.test(opts.url) ? { feedUrl: opts.url } : {}),
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
    ...(opts.membersOnlyTag ? { membersOnlyTag: opts.membersOnlyTag } : {}),
    ...(opts.listItems ? { listItems: true } : {}),
  });
  return { source: opts.label, type, ...normalised };
}

/** Decodes and parses a document into raw items, checking it is the configured type. */
export function readFeed(bytes: Buffer, opts: ParseFeedOptions): { type: FeedType; feed: ParsedFeed } {
  const { label } = opts;
  const text = decodeFeedText(bytes, label, opts.contentType);
  const start = firstSignificantChar(text);
  if (start === undefined) throw new FeedError(label, 'the feed is empty');

  if (start === '{' || start === '[') {
    const value = parseJson(text, label);
    if (isWordPressMediaList(value)) {
      throw new FeedError(label, 'a WordPress media list (/wp/v2/media), not posts: use the /wp-json/wp/v2/posts endpoint');
    }
    const detected = detectJsonFeedType(value);
    const type = checkType(label, opts.type, detected, 'JSON that is neither a JSON Feed nor a WordPress posts list');
    return { type, feed: type === 'wordpress' ? parseWordPress(value) : parseJsonFeed(value) };
  }

  if (start !== '<') {
    if (opts.type === 'jsonfeed' || opts.type === 'wordpress') parseJson(text, label); // throws the JSON error
    throw new FeedError(label, 'not a feed: neither XML nor JSON');
  }
  const xml = parseXmlOrPage(text, label);
  const detected = detectXmlFeedType(xml.root);
  const type = checkType(label, opts.type, detected, `XML with root <${xml.root}>, which is neither RSS nor Atom`);
  const feed = type === 'atom' ? parseAtom(xml) : parseRss(xml);
  return { type, feed: { ...feed, warnings: [...xml.warnings, ...(feed.warnings ?? [])] } };
}

/**
 * A web page where a feed was expected (a moved feed, a login page) is said as such,
 * rather than as whatever makes the page not well-formed XML.
 */
function parseXmlOrPage(text: string, label: string): ParsedXml {
  try {
    return parseXml(text, label);
  } catch (err) {
    const rootName = xmlRootName(text)?.toLowerCase();
    if (rootName === 'html' || rootName === 'head' || rootName === 'body' || /^[\s\uFEFF]*<!doctype\s+html\b/i.test(text)) {
      const title = /<title[^>]*>([^<]{1,80})<\/title>/i.exec(text)?.[1]?.trim();
      throw new FeedError(label, `not a feed: an HTML page${title ? ` ("${title}")` : ''}, not RSS, Atom or JSON Feed`, { cause: err });
    }
    throw err;
  }
}

/** Attachments from `/wp/v2/media` look like posts (link, title.rendered) but are files. */
function isWordPressMediaList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).type === 'attachment' && 'media_type' in v);
}

function checkType(label: string, configured: FeedType | undefined, detected: FeedType | undefined, unknown: string): FeedType {
  if (!detected) throw new FeedError(label, `not a feed: ${unknown}`);
  // A wrong `type` in the config would otherwise yield zero articles without a word.
  if (configured && configured !== detected) {
    throw new FeedError(label, `configured as type "${configured}" but the content is ${TYPE_NAMES[detected]}`);
  }
  return detected;
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? ` at line ${text.slice(0, Number(position[1])).split('\n').length}` : '';
    throw new FeedError(label, `not valid JSON${where}: ${message.split('\n')[0]}`, { cause: err });
  }
}
