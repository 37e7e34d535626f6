import iconv from 'iconv-lite';
import { FeedError } from '../errors.js';

/**
 * Turns a feed's bytes into text. The encoding is taken, in order, from a byte order mark,
 * the XML declaration (`<?xml … encoding="windows-1251"?>`), the HTTP charset, else UTF-8.
 *
 * The declaration is preferred over the HTTP header because the software that wrote the
 * bytes wrote the declaration too, while web servers often add a default charset that is
 * wrong for the file. JSON has no declaration and is UTF-8 unless a BOM or charset says
 * otherwise (RFC 8259).
 */
export function decodeFeedText(bytes: Buffer, label: string, contentType?: string): string {
  const bom = sniffBom(bytes);
  if (bom) return iconv.decode(bytes.subarray(bom.length), bom.encoding, { stripBOM: true });

  const utf16 = sniffUtf16(bytes);
  if (utf16) return iconv.decode(bytes, utf16);

  const declared = declaredXmlEncoding(bytes) ?? charsetOf(contentType);
  if (declared) {
    if (!iconv.encodingExists(declared)) throw new FeedError(label, `unsupported encoding "${declared}"`);
    return iconv.decode(bytes, declared);
  }
  return iconv.decode(bytes, 'utf8');
}

function sniffBom(bytes: Buffer): { length: number; encoding: string } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { length: 3, encoding: 'utf8' };
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
