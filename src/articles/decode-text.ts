import iconv from 'iconv-lite';
import { FeedError } from '../errors.js';

/**
 * Turns a feed's bytes into text, the way feedparser and RFC 7303 decide the encoding:
 *
 * 1. a byte order mark (UTF-8, UTF-16, UTF-32), or UTF-16 recognisable without one;
 * 2. the HTTP charset, when the Content-Type is an XML type (`text/xml`, `application/xml`,
 *    `application/rss+xml`, …) or JSON: RFC 7303 §3 makes it authoritative over the
 *    declaration, and feedparser follows it;
 * 3. the XML declaration (`<?xml … encoding="windows-1251"?>`), else any HTTP charset;
 * 4. UTF-8 — and when the bytes are not valid UTF-8 and nothing declared an encoding,
 *    windows-1252, as feedparser falls back, rather than a page of U+FFFD.
 *
 * ISO-8859-1 and US-ASCII are read as windows-1252, as browsers do (WHATWG Encoding): feeds
 * that declare them routinely hold the curly quotes of 0x80–0x9F, which would otherwise
 * become invisible C1 control characters.
 */
export function decodeFeedText(bytes: Buffer, label: string, contentType?: string): string {
  const bom = sniffBom(bytes);
  if (bom) return iconv.decode(bytes.subarray(bom.length), bom.encoding, { stripBOM: true });

  const utf16 = sniffUtf16(bytes);
  if (utf16) return iconv.decode(bytes, utf16);

  const http = charsetOf(contentType);
  const declared = (http && isXmlOrJsonType(contentType) ? http : undefined) ?? declaredXmlEncoding(bytes) ?? http;
  if (declared) {
    const encoding = WINDOWS_1252_ALIASES.has(declared.toLowerCase()) ? 'windows-1252' : declared;
    if (!iconv.encodingExists(encoding)) throw new FeedError(label, `unsupported encoding "${declared}"`);
    return iconv.decode(bytes, encoding);
  }
  if (!isValidUtf8(bytes)) return iconv.decode(bytes, 'windows-1252');
  return iconv.decode(bytes, 'utf8');
}

const WINDOWS_1252_ALIASES = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii', 'cp819', 'ibm819', 'iso-ir-100']);

/** text/xml, application/xml, application/rss+xml, application/atom+xml, application/feed+json, …. */
function isXmlOrJsonType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^(text|application)\/(xml|xml-external-parsed-entity|json|[\w.-]+\+(xml|json))$/.test(type);
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function sniffBom(bytes: Buffer): { length: number; encoding: string } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { length: 3, encoding: 'utf8' };
  // UTF-32's marks first: little-endian UTF-32 starts with UTF-16LE's.
  if (bytes[0] === 0x00 && bytes[1] === 0x00 && bytes[2] === 0xfe && bytes[3] === 0xff) return { length: 4, encoding: 'utf32be' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0x00 && bytes[3] === 0x00) return { length: 4, encoding: 'utf32le' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { length: 2, encoding: 'utf16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { length: 2, encoding: 'utf16be' };
  return undefined;
}

/** UTF-16 without a BOM is recognisable by the zero bytes around the first `<`. */
function sniffUtf16(bytes: Buffer): string | undefined {
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) return 'utf16le';
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) return 'utf16be';
  return undefined;
}

function declaredXmlEncoding(bytes: Buffer): string | undefined {
  // The declaration is ASCII in every encoding this function can be asked about, so a
  // latin1 view of the first bytes is enough to read it.
  const head = bytes.subarray(0, 512).toString('latin1');
  const m = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return m?.[1];
}

function charsetOf(contentType: string | undefined): string | undefined {
  const m = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType) : null;
  return m?.[1];
}
