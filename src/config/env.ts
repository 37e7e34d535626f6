import { BriefError, quote } from '../errors.js';

/**
 * Secrets and endpoints from the environment (DESIGN.md). Only the composition root
 * (src/wiring.ts) and the CLI entry call `readEnv`; everything else is handed values.
 */
export interface BriefEnv {
  /** Unset: 127.0.0.1:6379, or a private redis-server for `start`/`worker`. */
  redisUrl?: string;
  /** A nodemailer SMTP URL; unset: messages go to the outbox folder. */
  smtpUrl?: string;
  /** Signs unsubscribe links; at least 16 bytes. */
  secret?: string;
  /** BRIEF_SECRET_ROTATE=1: this BRIEF_SECRET replaces the one kept in Redis (a deliberate change). */
  rotateSecret: boolean;
  /** Base of links in emails. @defaultValue `http://localhost:${port}` */
  publicUrl: string;
  /** Whether PUBLIC_URL was set (not the localhost default). */
  publicUrlSet: boolean;
  /** @defaultValue 3000 */
  port: number;
  /** @defaultValue "127.0.0.1" */
  host: string;
  /** Editor API and dashboard token. */
  adminToken?: string;
  /**
   * BRIEF_TRUST_PROXY: the reverse proxies (addresses, CIDRs, or `loopback`, `uniquelocal`)
   * whose X-Forwarded-For names the client. Unset: no proxy is trusted, and behind one every
   * client is the proxy's address, so one client's failed logins throttle every login.
   */
  trustProxy?: string[];
  /** @defaultValue "brief" */
  prefix: string;
  /** Port of `brief inbound`. @defaultValue 2525 */
  inboundPort: number;
  /** pino level. @defaultValue "info" */
  logLevel: string;
  /** LOG_FORMAT: `pretty` or `json`. @defaultValue unset: pretty when stderr is a terminal, else JSON */
  logFormat?: 'pretty' | 'json';
  /** The Chromium `brief preview --png` drives (CHROMIUM_PATH). @defaultValue "/usr/bin/chromium" (Debian's `chromium`) */
  chromiumPath: string;
}

export function readEnv(env: NodeJS.ProcessEnv): BriefEnv {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BriefError('ECONFIG', `PORT: ${quote(portText)} is not a port number`);
  }
  const publicSet = Boolean(env.PUBLIC_URL && env.PUBLIC_URL.trim());
  const publicUrl = (publicSet ? env.PUBLIC_URL!.trim() : `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new BriefError('ECONFIG', `PUBLIC_URL: ${quote(publicUrl)} is not an http(s) URL`);
  }
  const inboundText = env.INBOUND_PORT ?? '2525';
  const inboundPort = Number(inboundText);
  if (!Number.isInteger(inboundPort) || inboundPort < 0 || inboundPort > 65535) {
    throw new BriefError('ECONFIG', `INBOUND_PORT: ${quote(inboundText)} is not a port number`);
  }
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  const adminToken = nonEmpty(env.BRIEF_ADMIN_TOKEN);
  if (adminToken !== undefined && Buffer.byteLength(adminToken) < 16) {
    throw new BriefError('ECONFIG', 'BRIEF_ADMIN_TOKEN must be at least 16 bytes (it opens the editor API and the queue dashboard); try: openssl rand -hex 24');
  }
  const logFormat = nonEmpty(env.LOG_FORMAT)?.toLowerCase();
  if (logFormat !== undefined && logFormat !== 'pretty' && logFormat !== 'json') {
    throw new BriefError('ECONFIG', `LOG_FORMAT: ${quote(logFormat)} is not pretty or json`);
  }
  const trustProxy = nonEmpty(env.BRIEF_TRUST_PROXY)?.split(',').map((x) => x.trim()).filter(Boolean);
  for (const x of trustProxy ?? []) {
    if (!/^([0-9a-fA-F:.]+(\/\d{1,3})?|loopback|linklocal|uniquelocal)$/.test(x)) {
      throw new BriefError('ECONFIG', `BRIEF_TRUST_PROXY: ${quote(x)} is not an address, a CIDR, loopback, linklocal or uniquelocal`);
    }
  }
  return {
    trustProxy,
    redisUrl: nonEmpty(env.REDIS_URL),
    smtpUrl: nonEmpty(env.SMTP_URL),
    secret: nonEmpty(env.BRIEF_SECRET),
    rotateSecret: env.BRIEF_SECRET_ROTATE === '1',
    publicUrl,
    publicUrlSet: publicSet,
    port,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    adminToken,
    prefix: nonEmpty(env.BRIEF_PREFIX) ?? 'brief',
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    ...(logFormat ? { logFormat } : {}),
    inboundPort,
    chromiumPath: nonEmpty(env.CHROMIUM_PATH) ?? '/usr/bin/chromium',
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Real mail (SMTP_URL set) carries one-click unsubscribe links that Gmail and Yahoo follow
 * only over https: PUBLIC_URL must then be set, and https unless it names a loopback host
 * (a local relay under test). Checked by every command that sends or signs links for mail.
 */
export function checkPublicUrl(env: Pick<BriefEnv, 'smtpUrl' | 'publicUrl' | 'publicUrlSet'>): void {
  if (!env.smtpUrl) return;
  if (!env.publicUrlSet) {
    throw new BriefError('ECONFIG', 'PUBLIC_URL must be set when SMTP_URL is set: unsubscribe links in real mail need a public https URL');
  }
  let url: URL;
  try {
    url = new URL(env.publicUrl);
  } catch {
    throw new BriefError('ECONFIG', `PUBLIC_URL: ${JSON.stringify(env.publicUrl)} is not a URL`);
  }
  if (url.protocol !== 'https:' && !LOOPBACK.test(url.hostname)) {
    throw new BriefError(
      'ECONFIG',
      `PUBLIC_URL: ${JSON.stringify(env.publicUrl)} must be https when SMTP_URL is set (mail clients need an https one-click unsubscribe URL)`,
    );
  }
}
