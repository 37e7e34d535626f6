import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMessage, SendResult } from './transport.js';
import { toMailOptions } from './mail-options.js';

/**
 * The embedded default when SMTP_URL is unset: one `.eml` file per message, named by its
 * Message-ID so a re-send after a crash overwrites rather than doubles the file.
 */
export function createOutboxTransport(dir: string): MailTransport {
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'outbox',
    description: `outbox folder ${abs}`,
    async send(message: OutgoingMessage): Promise<SendResult> {
      const info = await composer.sendMail(toMailOptions(message));
      const safe = message.messageId.replace(/[^A-Za-z0-9._-]/g, '_');
      const file = path.join(abs, `${safe}.eml`);
      // Write then rename: a reader never sees half a message.
      writeFileSync(file + '.tmp', info.message as Buffer);
      renameSync(file + '.tmp', file);
      return { messageId: message.messageId, response: `written to ${file}` };
    },
    async close() {},
  };
}
