import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { BriefError } from '../errors.js';
import { foldHeader } from './compose-message.js';

/**
 * DKIM signing (RFC 6376, relaxed/relaxed) with oversigning. nodemailer's signer lists
 * each header name at most once, so a relay or attacker who prepends a second `Subject:`
 * or `List-Unsubscribe:` leaves the signature valid (verifiers take instances from the
 * bottom up) while mail clients show the new one. Listing a name once more than it occurs
 * signs the absence of any further instance (§5.4.2): a header added later breaks it.
 */

/** Signed when present, in this order. */
export const SIGNED_HEADERS = [
  'From', 'Reply-To', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type',
  'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post',
] as const;

/** Listed once more than they occur: a copy added later fails verification. */
export const OVERSIGNED_HEADERS = [
  'From', 'Subject', 'Date', 'To', 'Message-ID', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post',
] as const;

export interface DkimKey {
  domainName: string;
  keySelector: string;
  /** PEM, RSA (rsa-sha256) or Ed25519 (ed25519-sha256, RFC 8463). */
  privateKey: string;
}

export interface DkimSigner {
  /** `raw` (CRLF) with a DKIM-Signature header in front. */
  sign(raw: string, now?: Date): string;
}

/** Relaxed header canonicalization of one field: lower-case name, unfolded, runs of WSP as one SP. */
function relaxedField(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field.slice(colon + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim();
  return `${name}:${value}`;
}

/** Relaxed body canonicalization: WSP runs as one SP, none at line ends, no empty lines at the end. */
export function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join('\r\n') + '\r\n' : '';
}

export function createDkimSigner(key: DkimKey): DkimSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.privateKey);
  } catch {
    throw new BriefError('ECONFIG', `dkim.privateKeyFile: not a PEM private key`);
  }
  const type = privateKey.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') {
    throw new BriefError('ECONFIG', `dkim.privateKeyFile: a ${type} key; DKIM needs RSA or Ed25519`);
  }
  const algorithm = type === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256';
  const clean = (v: string) => v.replace(/[\s;=]/g, '');
  return {
    sign(raw: string, now = new Date()): string {
      const split = raw.indexOf('\r\n\r\n');
      const head = split < 0 ? raw : raw.slice(0, split);
      const body = split < 0 ? '' : raw.slice(split + 4);
      const fields = head.split(/\r\n(?![ \t])/);
      const byName = new Map<string, string[]>();
      for (const f of fields) {
        const name = f.slice(0, f.indexOf(':')).trim().toLowerCase();
        byName.set(name, [...(byName.get(name) ?? []), f]);
      }
      const oversigned = new Set(OVERSIGNED_HEADERS.map((n) => n.toLowerCase()));
      const names: string[] = [];
      const canonical: string[] = [];
      for (const name of SIGNED_HEADERS) {
        const lower = name.toLowerCase();
        const present = byName.get(lower) ?? [];
        // Instances are taken from the bottom up (§5.4.2); the extra, oversigned entry
        // matches none and adds nothing to the hash, so it signs "no further instance".
        for (let i = present.length - 1; i >= 0; i--) {
          names.push(name);
          canonical.push(relaxedField(present[i]!));
        }
        if (oversigned.has(lower)) names.push(name);
      }
      const bh = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
      const tags = [
        'v=1',
        `a=${algorithm}`,
        'c=relaxed/relaxed',
        `d=${clean(key.domainName)}`,
        `s=${clean(key.keySelector)}`,
        `t=${Math.floor(now.getTime() / 1000)}`,
        `h=${names.join(':')}`,
        `bh=${bh}`,
        'b=',
      ];
      // Signed as it is sent, folded, with an empty b= at the end; the signature then follows
      // "b=" on the same line, further pieces on continuation lines (verifiers drop b='s value).
      const unsigned = foldHeader(`DKIM-Signature: ${tags.join('; ')}`);
      const data = Buffer.from(canonical.map((c) => c + '\r\n').join('') + relaxedField(unsigned), 'latin1');
      const b =
        algorithm === 'rsa-sha256'
          ? sign('sha256', data, privateKey).toString('base64')
          : sign(null, createHash('sha256').update(data).digest(), privateKey).toString('base64');
      const header = unsigned + (b.match(/.{1,64}/g) ?? []).join('\r\n ');
      return `${header}\r\n${raw}`;
    },
  };
}
