import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { FeedError } from '../errors.js';

/** A parsed XML node as fast-xml-parser yields it with the options below. */
export type XmlNode = string | { [key: string]: unknown };

/** Elements whose content may be HTML: kept raw so markup and CDATA survive (see `markup`). */
const MARKUP_ELEMENTS = [
  'title', 'description', 'content:encoded', 'summary', 'content', 'subtitle',
  'media:description', 'media:title',
];

/** Namespaces the parsers read, by URI, with the prefix the parsers use for them. */
const KNOWN_NAMESPACES: Record<string, string> = {
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/dc/elements/1.1': 'dc',
  'http://purl.org/dc/terms': 'dcterms',
  'http://purl.org/rss/1.0/modules/content': 'content',
  'http://www.w3.org/2005/Atom': 'atom',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
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
}

/**
 * Checks that `text` is well-formed XML and parses it. Throws a one-line FeedError that
 * names the feed and the line (`feeds/main.xml: not well-formed XML at line 3: …`).
 */
export function parseXml(text: string, label: string): ParsedXml {
  const verdict = XMLValidator.validate(text);
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
  return { root, doc };
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
  const root = /<([A-Za-z_][\w.-]*):feed\b/.exec(head);
  if (root && (map.get(root[1]!) === 'atom' || root[1] === 'atom')) map.set(root[1]!, '');
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

/**
 * The content of a markup element (see MARKUP_ELEMENTS) as the HTML it stands for: CDATA
 * sections taken literally, XML entities decoded elsewhere, nested (XHTML) tags kept.
 */
export function markup(v: unknown): string | undefined {
  const node = first(v);
  let raw: string | undefined;
  if (typeof node === 'string') raw = node;
  else if (typeof node === 'number') raw = String(node);
  else if (isRecord(node) && (typeof node['#text'] === 'string' || typeof node['#text'] === 'number')) raw = String(node['#text']);
  if (raw === undefined) return undefined;
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
  out += decodeXmlEntities(raw.slice(at));
  return out.trim() || undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
