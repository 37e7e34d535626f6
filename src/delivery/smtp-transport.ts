import { redactCredentials } from '../redact-credentials.js';
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { DkimConfig } from '../config/schema.js';
import type { MailTransport, OutgoingMessage, SendResult } from './transport.js';
import { classifySendError } from './classify-error.js';
import { composeMessage } from './compose-message.js';
import { createDkimSigner } from './dkim-sign.js';

export interface SmtpTransportOptions {
  /** A nodemailer SMTP URL (`smtp://user:pass@host:587`, `smtps://…`). */
  url: string;
  /** Connections in the pool. @defaultValue 5 */
  poolSize?: number;
  /** Sign with DKIM (oversigned: see dkim-sign.ts); both List-Unsubscribe headers are in the signed set. */
  dkim?: DkimConfig & { privateKeyPath: string };
  /** Socket inactivity timeout in ms. @defaultValue 60000 */
  socketTimeoutMs?: number;
}

/** Hides the password of an SMTP URL. */
export function describeSmtpUrl(url: string): string {
  return redactCredentials(url);
}

/** A pooled nodemailer SMTP transport. */
export function createSmtpTransport(opts: SmtpTransportOptions): MailTransport {
  const poolSize = opts.poolSize ?? 5;
  // Our own signer, not nodemailer's: it oversigns (dkim-sign.ts), and RFC 8058 asks that
  // the one-click headers be signed so that a relay cannot add them.
  const signer = opts.dkim
    ? createDkimSigner({
        domainName: opts.dkim.domainName,
        keySelector: opts.dkim.keySelector,
        privateKey: readFileSync(opts.dkim.privateKeyPath, 'utf8'),
      })
    : undefined;
  const url = new URL(opts.url);
  const transporter = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true' || undefined,
    tls: url.searchParams.get('tls.rejectUnauthorized') === 'false' ? { rejectUnauthorized: false } : undefined,
    maxConnections: poolSize,
    maxMessages: Infinity,
    // A requeue after a dropped connection could repeat a message whose DATA was accepted;
    // our ledger decides what is re-sent, not the pool.
    maxRequeues: 0,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    greetingTimeout: 15_000,
    connectionTimeout: 15_000,
  });
  return {
    kind: 'smtp',
    description: `SMTP ${describeSmtpUrl(opts.url)} (pool of ${poolSize})`,
    async send(message: OutgoingMessage): Promise<SendResult> {
      try {
        const { envelope, raw } = composeMessage(message);
        const info = await transporter.sendMail({ envelope, raw: signer ? signer.sign(raw) : raw });
        return { messageId: message.messageId, response: String(info.response ?? '') };
      } catch (err) {
        throw classifySendError(err);
      }
    },
    async close() {
      transporter.close();
    },
  };
}
