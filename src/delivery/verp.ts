import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../redis/connect.js';
import type { Keys } from '../keys.js';

/**
 * VERP return paths: `bounces+TOKEN@DOMAIN`. TOKEN is 36 lower-case base32 characters (so
 * the local part is 44, under RFC 5321's 64, and survives MTAs that fold case):
 * 8 for the edition, 12 for the recipient, 16 of HMAC-SHA256 (the link secret) over both.
 * The two short hashes are resolved through a Redis index written as batches are sent
 * (`keys.verpEditions()`, `keys.editionVerp(id)`): an address of 254 characters and an
 * edition id of 70 would never fit in 64 themselves.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LOCAL = 'bounces';

function base32(buf: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}

const hash = (what: string, chars: number) => base32(createHash('sha256').update(what).digest(), chars);

export const editionHash = (editionId: string) => hash(`e\n${editionId}`, 8);
export const recipientHash = (editionId: string, email: string) => hash(`r\n${editionId}\n${email.toLowerCase()}`, 12);
const mac = (secret: string, e: string, r: string) => base32(createHmac('sha256', secret).update(`verp\n${e}\n${r}`).digest(), 16);

/** The VERP envelope sender of `email`'s copy of `editionId`. */
export function verpAddress(secret: string, domain: string, editionId: string, email: string): string {
  const e = editionHash(editionId);
  const r = recipientHash(editionId, email);
  return `${LOCAL}+${e}${r}${mac(secret, e, r)}@${domain.toLowerCase()}`;
}

/** The checked halves of a VERP address, or null when it is not one of ours (or forged). */
export function readVerpAddress(secret: string, domain: string, address: string): { edition: string; recipient: string } | null {
  const m = /^([^@]+)@(.+)$/.exec(address.trim().toLowerCase());
  if (!m || m[2] !== domain.toLowerCase()) return null;
  const local = /^bounces\+([a-z2-7]{36})$/.exec(m[1]!);
  if (!local) return null;
  const t = local[1]!;
  const e = t.slice(0, 8);
  const r = t.slice(8, 20);
  const want = Buffer.from(mac(secret, e, r));
  const got = Buffer.from(t.slice(20));
  if (!timingSafeEqual(want, got)) return null;
  return { edition: e, recipient: r };
}

/** The Redis index from token halves back to edition id and address. */
export class VerpIndex {
  constructor(private readonly deps: { redis: RedisClient; keys: Keys }) {}

  /** Remembers a chunk's recipients (one HSET per chunk, in the edition's slot). */
  async remember(editionId: string, emails: readonly string[]): Promise<void> {
    if (emails.length === 0) return;
    const fields: Record<string, string> = {};
    for (const e of emails) fields[recipientHash(editionId, e)] = e;
    await Promise.all([
      this.deps.redis.hset(this.deps.keys.verpEditions(), editionHash(editionId), editionId),
      this.deps.redis.hset(this.deps.keys.editionVerp(editionId), fields),
    ]);
  }

  /** Edition id and address of a checked token, or null when the index does not know them. */
  async resolve(t: { edition: string; recipient: string }): Promise<{ editionId: string; email: string } | null> {
    const editionId = await this.deps.redis.hget(this.deps.keys.verpEditions(), t.edition);
    if (!editionId) return null;
    const email = await this.deps.redis.hget(this.deps.keys.editionVerp(editionId), t.recipient);
    return email ? { editionId, email } : null;
  }
}
