import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';

/**
 * Header values written by us rather than by nodemailer, because nodemailer's encoder
 * gets three things wrong for this product's languages:
 * - a List-Id it encodes as a whole, `<label.domain>` included, so no parser finds the id
 *   (RFC 2919 wants an optional phrase and an ASCII `<list-label.domain>` never encoded);
 * - an ASCII title with specials (`:`, `,`, `(`, `@`) goes out bare, and `Brief: Georgia,
 *   Armenia (beta) @ Tbilisi` then parses as `Brief`;
 * - a Georgian or Armenian display name is cut into encoded-words of 52 characters, so a
 *   ten-letter name becomes two words and strict parsers show a stray space in it.
 *
 * Here a phrase (a display name, a list's description) is an atom run when it can be, a
 * quoted-string when it is ASCII, and otherwise encoded-words (RFC 2047): one word when
 * the whole phrase fits in 75 characters, else as few as fit, each cut at a grapheme
 * boundary so every word decodes to whole characters. B or Q, whichever is shorter.
 */

/** RFC 2047 §2: an encoded-word is at most 75 characters. */
const MAX_WORD = 75;
const PREFIX_B = '=?UTF-8?B?';
const PREFIX_Q = '=?UTF-8?Q?';
const SUFFIX = '?=';

/** atext (RFC 5322 §3.2.3) and spaces: a phrase of plain atoms needs no quoting. */
const ATOMS = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Control characters and line breaks become spaces; runs of white space one space. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Q in a phrase (RFC 2047 §5 (3)): only letters, digits and `!*+-/` stay literal; space is `_`. */
function qWord(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9!*+\-/]/.test(c)) out += c;
    else if (c === ' ') out += '_';
    else out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return PREFIX_Q + out + SUFFIX;
}

function bWord(s: string): string {
  return PREFIX_B + Buffer.from(s, 'utf8').toString('base64') + SUFFIX;
}

/** The shorter of the B and Q words for `s`. */
function word(s: string): string {
  const b = bWord(s);
  const q = qWord(s);
  return q.length <= b.length ? q : b;
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** `text` as encoded-words separated by spaces (which decoders drop between words). */
export function encodedWords(text: string): string {
  const whole = word(text);
  if (whole.length <= MAX_WORD) return whole;
  const words: string[] = [];
  let chunk = '';
  for (const { segment } of graphemes.segment(text)) {
    // Greedy is right: a word only grows as its text does.
    if (chunk && word(chunk + segment).length > MAX_WORD) {
      words.push(word(chunk));
      chunk = segment;
    } else {
      chunk += segment;
    }
  }
  if (chunk) words.push(word(chunk));
  return words.join(' ');
}

/** A phrase (display name, List-Id description) as it may appear in a header. */
export function encodePhrase(text: string): string {
  const t = clean(text);
  if (!t) return '';
  // "=?" in bare text would be read as an encoded-word; inside quotes it is not.
  if (ATOMS.test(t) && !t.includes('=?')) return t;
  if (PRINTABLE_ASCII.test(t)) return `"${t.replace(/["\\]/g, '\\$&')}"`;
  return encodedWords(t);
}

/** Unstructured text (Subject): as it is when printable ASCII, else encoded-words. */
export function encodeUnstructured(text: string): string {
  const t = clean(text);
  if (PRINTABLE_ASCII.test(t) && !/=\?/.test(t)) return t;
  return encodedWords(t);
}

/** An address with its domain in ASCII (IDNA), as SMTP and headers carry it. */
export function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  const ascii = PRINTABLE_ASCII.test(domain) ? domain : domainToASCII(domain) || domain;
  return `${address.slice(0, at)}@${ascii}`;
}

/** `Name <addr@domain>`, or the bare address when there is no name. */
export function mailboxHeader(name: string | undefined, address: string): string {
  const phrase = name ? encodePhrase(name) : '';
  const addr = asciiAddress(address);
  return phrase ? `${phrase} <${addr}>` : addr;
}

/** One mailbox written as config holds it (`Name <addr>` or `addr`), split into its name and address. */
export function parseMailbox(raw: string): { name: string; address: string } {
  const [first] = addressparser(raw);
  if (!first || 'group' in first) return { name: '', address: raw.trim() };
  return { name: first.name ?? '', address: first.address };
}

/**
 * RFC 2919 List-Id: the title as a phrase, then `<label.domain>` in ASCII, never encoded.
 * The label is the newsletter id (lower-case letters, digits, "-", "_": a dot-atom).
 */
export function listIdHeader(title: string, label: string, domain: string): string {
  const asciiDomain = PRINTABLE_ASCII.test(domain) ? domain : domainToASCII(domain) || domain;
  const id = `${label.replace(/[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/g, '-')}.${asciiDomain}`;
  const phrase = encodePhrase(title);
  return phrase ? `${phrase} <${id}>` : `<${id}>`;
}
