import { createHmac, timingSafeEqual } from 'node:crypto';
import { BriefError } from '../errors.js';

/** What a signed link lets its holder do. */
export type TokenAction = 'unsubscribe' | 'preferences';

export interface TokenPayload {
  action: TokenAction;
  list: string;
  email: string;
  /** The edition the link was sent in ("" for links made elsewhere). */
  edition: string;
}

const ACTION_CODES: Record<TokenAction, string> = { unsubscribe: 'u', preferences: 'p' };
const CODE_ACTIONS: Record<string, TokenAction> = { u: 'unsubscribe', p: 'preferences' };

/** Refuses secrets under 16 bytes: a short HMAC key makes every unsubscribe link forgeable. */
export function checkSecret(secret: string | undefined): string {
  if (!secret || Buffer.byteLength(secret) < 16) {
    throw new BriefError('ESECRET', 'BRIEF_SECRET must be set to at least 16 bytes (it signs unsubscribe links)');
  }
  return secret;
}

const CANONICAL = /^[A-Za-z0-9_-]+$/;

function sign(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * `base64url(action \n list \n email \n edition) . base64url(HMAC-SHA256)`. The payload is
 * readable (it names the list and address the link acts on) but cannot be altered.
 */
export function makeToken(secret: string, p: TokenPayload): string {
  const body = Buffer.from([ACTION_CODES[p.action], p.list, p.email, p.edition].join('\n')).toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/** Verifies in constant time; throws ETOKEN for anything forged, altered or truncated. */
export function verifyToken(secret: string, token: string): TokenPayload {
  const parts = verifiedParts(secret, token);
  const action = CODE_ACTIONS[parts[0] ?? ''];
  if (!action || parts.length !== 4) throw badToken();
  return { action, list: parts[1]!, email: parts[2]!, edition: parts[3]! };
}

const badToken = () => new BriefError('ETOKEN', 'this link is not valid (it may have been cut or altered)');

/** How long a confirmation link works. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 86_400_000;

/** A double opt-in link: the signup it confirms, until when. */
export interface ConfirmPayload {
  newsletter: string;
  email: string;
  /** Names the signup (its offer in Redis) and makes the link single-use. */
  nonce: string;
  /** Epoch ms after which the link is refused as expired. */
  expires: number;
}

/** `c \n newsletter \n email \n nonce \n expires(base36)`, signed like the other links. */
export function makeConfirmToken(secret: string, p: ConfirmPayload): string {
  const body = Buffer.from(['c', p.newsletter, p.email, p.nonce, p.expires.toString(36)].join('\n')).toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/**
 * Checks the signature only (ETOKEN when forged or altered): whether the link has expired
 * or was used is the caller's to say, with a page of its own for each.
 */
export function verifyConfirmToken(secret: string, token: string): ConfirmPayload {
  const parts = verifiedParts(secret, token);
  if (parts[0] !== 'c' || parts.length !== 5) throw badToken();
  const expires = parseInt(parts[4]!, 36);
  if (!Number.isFinite(expires) || !/^[a-z0-9_-]{8,64}$/i.test(parts[3]!)) throw badToken();
  return { newsletter: parts[1]!, email: parts[2]!, nonce: parts[3]!, expires };
}

function verifiedParts(secret: string, token: string): string[] {
  const bad = badToken;
  if (typeof token !== 'string' || token.length > 2048) throw bad();
  const dot = token.indexOf('.');
  if (dot <= 0) throw bad();
  const body = token.slice(0, dot);
  const macText = token.slice(dot + 1);
  // Exactly one encoding is accepted: unpadded base64url in its canonical form. Node's
  // decoder forgives padding, `+/`, stray characters and non-zero trailing bits, so a
  // token is re-encoded and compared: an altered spelling of a valid token is refused.
  if (!CANONICAL.test(body) || !CANONICAL.test(macText)) throw bad();
  const mac = Buffer.from(macText, 'base64url');
  if (mac.toString('base64url') !== macText) throw bad();
  const expected = sign(secret, body);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw bad();
  const decoded = Buffer.from(body, 'base64url');
  if (decoded.toString('base64url') !== body) throw bad();
  return decoded.toString('utf8').split('\n');
}
