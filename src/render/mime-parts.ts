import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { wrap as b64Wrap } from 'nodemailer/lib/base64';
import { placeholderList } from './placeholders.js';
import { escapeHtml, joinParts, splitVariant, type Parts } from './personalise.js';
import type { CompiledVariant, RecipientFields } from './types.js';

/**
 * One recipient's text and HTML as finished MIME parts (headers, blank line, encoded body),
 * for nodemailer's `{ raw }` alternatives.
 *
 * Encoding a 40 KB body for every recipient is most of what composing a message costs, and
 * all but a few hundred bytes of it are the same for every recipient. So the literal text
 * between placeholders is quoted-printable encoded once per variant, each piece ending in a
 * soft line break ("=" CRLF, which decodes to nothing); per recipient only the placeholder
 * values are encoded and the pieces joined. Every encoded line stays within 76 characters
 * and the decoded body is byte for byte what `personalise` returns.
 *
 * Each part gets whichever of quoted-printable and base64 is smaller for it, measured
 * (`encodeDoc`): for Georgian or Armenian text quoted-printable triples every letter.
 * Base64 cannot be joined in pieces, so those bodies are personalised and then encoded
 * whole (natively, still cheap).
 */
export interface MimeParts {
  text: string;
  html: string;
}

type Encoded =
  | { kind: 'qp'; header: string; literals: string[]; slots: number[]; escape: boolean }
  | { kind: 'base64'; header: string; parts: Parts; escape: boolean };

/** Room for the soft break's "=" on the last line of a piece. */
const PIECE_LINE = 75;
const SOFT_BREAK = '=\r\n';

/** Every line break (CRLF, a lone LF or a lone CR) as CRLF, as SMTP wants it. */
const crlf = (s: string) => s.replace(/\r\n|\r|\n/g, '\r\n');

function qpPiece(s: string): string {
  return s ? qpWrap(qpEncode(crlf(s)), PIECE_LINE) + SOFT_BREAK : '';
}

/** The part's body as base64, wrapped at 76 as nodemailer does. */
const base64Body = (doc: string) => b64Wrap(Buffer.from(crlf(doc), 'utf8').toString('base64'), 76);

/**
 * Picks the smaller encoding by encoding the variant's document both ways and measuring
 * the result. Counting scripts (nodemailer's rule) misjudges mixed documents: a Georgian
 * edition's HTML is half ASCII markup, so quoted-printable won on letters and went out at
 * 99.5 KB where base64 takes ~71 KB. The placeholders are ASCII and short, so what is
 * smaller for the variant is smaller for every recipient within a few bytes.
 */
function encodeDoc(doc: string, parts: Parts, contentType: string, escape: boolean): Encoded {
  const header = (encoding: string) => `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`;
  const literals = parts.literals.map(qpPiece);
  const qpSize = literals.reduce((n, l) => n + l.length, 0);
  if (qpSize <= base64Body(doc).length) {
    return { kind: 'qp', header: header('quoted-printable'), literals, slots: parts.slots, escape };
  }
  return { kind: 'base64', header: header('base64'), parts, escape };
}

const encodedOf = new WeakMap<CompiledVariant, { text: Encoded; html: Encoded }>();

function encoded(variant: CompiledVariant): { text: Encoded; html: Encoded } {
  let e = encodedOf.get(variant);
  if (!e) {
    const split = splitVariant(variant);
    e = {
      text: encodeDoc(variant.text, split.text, 'text/plain', false),
      html: encodeDoc(variant.html, split.html, 'text/html', true),
    };
    encodedOf.set(variant, e);
  }
  return e;
}

function build(e: Encoded, raw: string[]): string {
  const values = e.escape ? raw.map(escapeHtml) : raw;
  if (e.kind === 'base64') {
    return e.header + base64Body(joinParts(e.parts, values));
  }
  const pieces = values.map(qpPiece);
  let out = e.header + e.literals[0]!;
  for (let i = 0; i < e.slots.length; i++) out += pieces[e.slots[i]!]! + e.literals[i + 1]!;
  return out;
}

/** One recipient's parts; the variant must not change after its first use (its encoding is cached). */
export function personaliseParts(variant: CompiledVariant, fields: RecipientFields): MimeParts {
  const e = encoded(variant);
  const raw = placeholderList(fields, variant.greeting);
  return { text: build(e.text, raw), html: build(e.html, raw) };
}
