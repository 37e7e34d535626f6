import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { FeedError } from '../errors.js';
import { guessed, type FeedText } from './feed-text.js';

/** A parsed XML node as fast-xml-parser yields it with the options below. */
export type XmlNode = string | { [key: string]: unknown };

/** Elements whose content may be HTML: kept raw so markup and CDATA survive (see `markup`). */
const MARKUP_ELEMENTS = [
  'title', 'description', 'content:encoded', 'summary', 'content', 'subtitle',
  'media:description', 'media:title', 'media:text',
];

/** Namespaces the parsers read, by URI, with the prefix the parsers use for them. */
const KNOWN_NAMESPACES: Record<string, string> = {
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/dc/elements/1.1': 'dc',
  'http://purl.org/dc/terms': 'dcterms',
  'http://purl.org/rss/1.0/modules/content': 'content',
  'http://www.w3.org/2005/Atom': 'atom',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://www.w3.org/XML/1998/namespace': 'xml',
  // RSS's own namespaces: their elements are read unprefixed (`<rss:item>` is `<item>`).
  'http://purl.org/rss/1.0': '',
  'http://my.netscape.com/rdf/simple/0.9': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
};

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references, in one
 * pass. Any other `&name;` is left as written: entities declared in a DOCTYPE never
 * expand (so a billion-laughs document costs what its bytes cost), and HTML entities
 * such as `&eacute;` are decoded later, where text is turned from HTML into plain text.
 */
export function decodeXmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/g, (whole, name, dec, hex) => {
    if (name) return XML_ENTITIES[name as string] ?? whole;
    const cp = dec ? Number(dec) : parseInt(hex as string, 16);
    const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    return valid ? String.fromCodePoint(cp) : '\uFFFD';
  });
}

const entityDecoder: EntityDecoderOptions = {
  setExternalEntities() {},
  // Ignoring DOCTYPE entities is the point: see decodeXmlEntities.
  addInputEntities() {},
  reset() {},
  setXmlVersion() {},
  decode: decodeXmlEntities,
};

export interface ParsedXml {
  /** The root element's name, with known namespaces under their usual prefix. */
  root: string;
  doc: Record<string, unknown>;
  /** What was repaired to read the document (a bare `&`), one line each. */
  warnings: string[];
}

/**
 * Checks that `text` is well-formed XML and parses it. Throws a one-line FeedError that
 * names the feed and the line (`feeds/main.xml: not well-formed XML at line 3: …`).
 *
 * Three things feed readers accept and a strict parser refuses are read here, as
 * feedparser and gofeed read them: whitespace before the XML declaration, a DOCTYPE
 * whose internal subset declares parameter entities (the subset is never used: entities
 * never expand), and bare `&` characters, which are read as `&amp;` with a warning.
 */
export function parseXml(input: string, label: string): ParsedXml {
  const warnings: string[] = [];
  let text = blankDoctype(input.replace(/^[\s\uFEFF]+(?=<\?xml\b)/, ''));
  let verdict = XMLValidator.validate(text);
  if (verdict !== true && /^char '&' is not expected/.test(verdict.err.msg)) {
    const repaired = escapeBareAmpersands(text);
    const again = XMLValidator.validate(repaired.text);
    if (again === true) {
      const s = repaired.count === 1 ? '' : 's';
      warnings.push(`${label}: ${repaired.count} bare "&"${s} read as "&amp;" (first at line ${verdict.err.line}); the feed is not well-formed XML`);
      text = repaired.text;
    }
    verdict = again;
  }
  if (verdict !== true) throw new FeedError(label, describeXmlError(text, verdict.err));

  const prefixes = namespacePrefixes(text);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    entityDecoder,
    stopNodes: MARKUP_ELEMENTS.map((name) => `*.${name}`),
    ...(prefixes.size > 0 ? { transformTagName: (name: string) => renamePrefix(name, prefixes) } : {}),
  });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new FeedError(label, `cannot read XML: ${firstLine((err as Error).message)}`, { cause: err });
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('!') && !k.startsWith('#'));
  if (!root) throw new FeedError(label, 'not well-formed XML at line 1: no root element');
  return { root, doc, warnings };
}

/**
 * Replaces the DOCTYPE with as many blank lines as it had, so later line numbers stay
 * right. Its declarations are never used (entities never expand, see decodeXmlEntities),
 * and the parser refuses parameter entities (`<!ENTITY % name …>`) that readers accept.
 */
function blankDoctype(text: string): string {
  const start = text.indexOf('<!DOCTYPE');
  if (start < 0 || start > 4096) return text;
  let i = start + 9;
  let depth = 0;
  let quote = '';
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) break;
  }
  if (i >= text.length) return text;
  const doctype = text.slice(start, i + 1);
  // An external general entity is how a feed asks to read a local file into itself (XXE):
  // refused outright, as before, rather than silently left unexpanded.
  if (/<!ENTITY\s+(?!%)[^\s>]+\s+(?:SYSTEM|PUBLIC)\b/.test(doctype)) return text;
  const lines = doctype.split('\n').length - 1;
  return text.slice(0, start) + '\n'.repeat(lines) + text.slice(i + 1);
}

const BARE_AMPERSAND = /&(?!(?:[A-Za-z_][\w.-]*|#\d+|#[xX][0-9a-fA-F]+);)/g;

function escapeBareAmpersands(text: string): { text: string; count: number } {
  let count = 0;
  // CDATA sections may hold any `&`; only the rest of the document is repaired.
  const out = text.replace(/(<!\[CDATA\[[\s\S]*?\]\]>)|([^<]*)/g, (whole, cdata: string | undefined) => {
    if (cdata) return cdata;
    return whole.replace(BARE_AMPERSAND, () => {
      count++;
      return '&amp;';
    });
  });
  return { text: out, count };
}

function describeXmlError(text: string, err: { msg: string; line: number }): string {
  // The validator reports unclosed elements as "Invalid '[ "rss", "channel" ]' found." at
  // line 1; what the user needs is that the file ends too early, and where it ends.
  const unclosed = /^Invalid '\[(.*)\]' found\.?$/s.exec(err.msg);
  if (unclosed) {
    const names = [...unclosed[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    const lastLine = text.trimEnd().split('\n').length;
    return `not well-formed XML at line ${lastLine}: the file ends before <${names.at(-1) ?? '?'}> is closed (truncated?)`;
  }
  return `not well-formed XML at line ${err.line}: ${firstLine(err.msg).replace(/\.$/, '')}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/**
 * Maps the prefixes a document declares for known namespaces to the prefixes the parsers
 * use (`xmlns:mrss="http://search.yahoo.com/mrss/"` → `media`). Atom's own prefix is
 * dropped when the root element is a prefixed Atom `feed`, so the Atom parser sees `entry`.
 */
function namespacePrefixes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const head = text.slice(0, 65_536);
  for (const m of head.matchAll(/\bxmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']/g)) {
    const [, prefix, uri] = m;
    const usual = KNOWN_NAMESPACES[uri!.replace(/\/$/, '')];
    if (usual !== undefined && usual !== prefix) map.set(prefix!, usual);
  }
  // A prefixed root (`<a:feed>`, `<r:rss>`) is read as its unprefixed self, and so are
  // its children under the same prefix.
  const root = /<([A-Za-z_][\w.-]*):(feed|rss)\b/.exec(head);
  if (root && (root[2] === 'rss' || map.get(root[1]!) === 'atom' || root[1] === 'atom' || !map.has(root[1]!))) map.set(root[1]!, '');
  return map;
}

function renamePrefix(name: string, prefixes: Map<string, string>): string {
  const colon = name.indexOf(':');
  if (colon < 0) return name;
  const usual = prefixes.get(name.slice(0, colon));
  if (usual === undefined) return name;
  return usual ? `${usual}${name.slice(colon)}` : name.slice(colon + 1);
}

/** Always an array: XML gives one child as a value and several as an array. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first of several same-named children, or the only one. */
export function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** Text content of an element (entities already decoded), or undefined. */
export function text(v: unknown): string | undefined {
  const node = first(v);
  if (typeof node === 'string') return node.trim() || undefined;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (isRecord(node)) {
    const t = node['#text'];
    if (typeof t === 'string' || typeof t === 'number') return String(t).trim() || undefined;
  }
  return undefined;
}

/** An attribute's value (entities already decoded), or undefined. */
export function attr(v: unknown, name: string): string | undefined {
  const node = first(v);
  if (!isRecord(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The raw content of a markup element (see MARKUP_ELEMENTS): CDATA and entities as written. */
function rawMarkup(v: unknown): string | undefined {
  const node = first(v);
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (isRecord(node) && (typeof node['#text'] === 'string' || typeof node['#text'] === 'number')) return String(node['#text']);
  return undefined;
}

/** Raw markup with CDATA sections taken literally and XML entities decoded once elsewhere. */
function decodeOnce(raw: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = raw.indexOf('<![CDATA[', at);
    if (open < 0) break;
    const close = raw.indexOf(']]>', open + 9);
    if (close < 0) break;
    out += decodeXmlEntities(raw.slice(at, open)) + raw.slice(open + 9, close);
    at = close + 3;
  }
  return out + decodeXmlEntities(raw.slice(at));
}

/**
 * The content of a markup element (see MARKUP_ELEMENTS) as its character data: CDATA
 * sections taken literally, XML entities decoded once. For RSS that is the HTML the
 * element stands for; what it is depends on the element (see feed-text.ts).
 */
export function markup(v: unknown): string | undefined {
  const raw = rawMarkup(v);
  return raw === undefined ? undefined : decodeOnce(raw).trim() || undefined;
}

/**
 * An Atom text construct (RFC 4287 §3.1) or a content element: `type="text"` (the
 * default) is plain text, `html` is escaped HTML, `xhtml` is inline XHTML (its markup read
 * as it stands), a MIME type says which of those it is, and `mode="base64"` (Atom 0.3)
 * is decoded first.
 */
export function atomText(v: unknown): FeedText | undefined {
  const raw = rawMarkup(v);
  if (raw === undefined) return undefined;
  const type = (attr(v, 'type') ?? 'text').trim().toLowerCase();
  const mode = attr(v, 'mode')?.trim().toLowerCase();
  const isHtml = type === 'html' || type === 'text/html';
  if (type === 'xhtml' || type === 'application/xhtml+xml') {
    // The markup is XML itself: its entities are HTML's too, so it is read as written.
    const value = raw.trim();
    return value ? { type: 'html', value } : undefined;
  }
  let value = decodeOnce(raw);
  if (mode === 'base64') value = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  value = value.trim();
  if (!value) return undefined;
  return { type: isHtml ? 'html' : 'text', value };
}

/** Media RSS text (`media:description`, `media:title`): `type="html"` or plain. */
export function mediaText(v: unknown): FeedText | undefined {
  const value = markup(v);
  if (!value) return undefined;
  return attr(v, 'type')?.toLowerCase() === 'html' ? { type: 'html', value } : guessed(value)!;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
