import { BriefError } from '../errors.js';

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
  /** Base of links in emails. @defaultValue `http://localhost:${port}` */
  publicUrl: string;
  /** @defaultValue 3000 */
  port: number;
  /** @defaultValue "127.0.0.1" */
  host: string;
  /** Editor API and dashboard token. */
  adminToken?: string;
  /** @defaultValue "brief" */
  prefix: string;
  /** Port of `brief inbound`. @defaultValue 2525 */
  inboundPort: number;
  /** pino level. @defaultValue "info" */
  logLevel: string;
}

export function readEnv(env: NodeJS.ProcessEnv): BriefEnv {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BriefError('ECONFIG', `PORT: "${portText}" is not a port number`);
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new BriefError('ECONFIG', `PUBLIC_URL: "${publicUrl}" is not an http(s) URL`);
  }
  const inboundText = env.INBOUND_PORT ?? '2525';
  const inboundPort = Number(inboundText);
  if (!Number.isInteger(inboundPort) || inboundPort < 0 || inboundPort > 65535) {
    throw new BriefError('ECONFIG', `INBOUND_PORT: "${inboundText}" is not a port number`);
  }
  const nonEmpty = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
  return {
    redisUrl: nonEmpty(env.REDIS_URL),
    smtpUrl: nonEmpty(env.SMTP_URL),
    secret: nonEmpty(env.BRIEF_SECRET),
    publicUrl,
    port,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    adminToken: nonEmpty(env.BRIEF_ADMIN_TOKEN),
    prefix: nonEmpty(env.BRIEF_PREFIX) ?? 'brief',
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    inboundPort,
  };
}
