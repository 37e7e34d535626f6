import { randomBytes } from 'node:crypto';
import type { OutgoingMessage } from './transport.js';
import { asciiAddress, encodeUnstructured, mailboxHeader, parseMailbox } from './header-words.js';

/** What a transport hands to SMTP or writes to a file: the envelope and the finished bytes. */
export interface ComposedMessage {
  envelope: { from: string; to: string[] };
  /** The whole message, CRLF line breaks, 7-bit. */
  raw: string;
}

/**
 * Folds a header line at white space so lines stay within 76 characters where a break is
 * possible (a token longer than that, such as a long URL, stays whole: the hard limit is 998).
 */
export function foldHeader(line: string, max = 76): string {
  if (line.length <= max) return line;
  const out: string[] = [];
  let cur = '';
  for (const token of line.split(/(?= )/)) {
    if (cur && (cur + token).length > max) {
      out.push(cur);
      cur = token;
    } else {
      cur += token;
    }
  }
  out.push(cur);
  return out.join('\r\n');
}

/** A line break or control character in a header value would start a header of its own. */
const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]+/g, ' ');

/**
 * The message as bytes, written here rather than by nodemailer's composer: nodemailer
 * re-encodes address headers its own way (a Georgian name cut into 52-character words, an
 * encoded-word it is handed put in quotes), and DKIM oversigning (dkim-sign.ts) needs the
 * header block as it will be sent. The parts are already finished MIME parts
 * (render/mime-parts.ts), so what is left is headers and a boundary.
 *
 * The boundary starts with "=_": neither quoted-printable ("=" is always followed by two
 * hex digits or a line break) nor base64 can contain it, so no body can end a part early.
 */
export function composeMessage(m: OutgoingMessage): ComposedMessage {
  const from = parseMailbox(m.from);
  const boundary = `=_brief_${randomBytes(12).toString('hex')}`;
  const lines: string[] = [
    `From: ${mailboxHeader(from.name, from.address)}`,
    `To: ${mailboxHeader(m.to.name, m.to.address)}`,
  ];
  if (m.replyTo) {
    const r = parseMailbox(m.replyTo);
    lines.push(`Reply-To: ${mailboxHeader(r.name, r.address)}`);
  }
  lines.push(
    `Subject: ${encodeUnstructured(m.subject)}`,
    `Date: ${m.date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: <${oneLine(m.messageId).replace(/[<>\s]/g, '')}>`,
  );
  for (const [key, value] of Object.entries(m.headers)) lines.push(`${key.replace(/[^A-Za-z0-9-]/g, '')}: ${oneLine(value)}`);
  lines.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`);
  const head = lines.map((l) => foldHeader(l)).join('\r\n');
  const crlfEnd = (part: string) => (part.endsWith('\r\n') ? part : part + '\r\n');
  const raw =
    `${head}\r\n\r\n` +
    `--${boundary}\r\n${crlfEnd(m.parts.text)}` +
    `--${boundary}\r\n${crlfEnd(m.parts.html)}` +
    `--${boundary}--\r\n`;
  return {
    envelope: { from: asciiAddress(m.envelopeFrom ?? from.address), to: [asciiAddress(m.to.address)] },
    raw,
  };
}
