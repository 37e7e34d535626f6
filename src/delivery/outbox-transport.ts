import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { MailTransport, OutgoingMessage, SendResult } from './transport.js';
import { composeMessage } from './compose-message.js';

/**
 * The embedded default when SMTP_URL is unset: one `.eml` file per message, named by its
 * Message-ID so a re-send after a crash overwrites rather than doubles the file.
 */
export function createOutboxTransport(dir: string): MailTransport {
  const abs = path.resolve(dir);
  mkdirSync(abs, { recursive: true });
  return {
    kind: 'outbox',
    description: `outbox folder ${abs}`,
    async send(message: OutgoingMessage): Promise<SendResult> {
      // Files get the local line ending (LF), as mail tools that read .eml expect.
      const bytes = Buffer.from(composeMessage(message).raw.replace(/\r\n/g, '\n'), 'latin1');
      const safe = message.messageId.replace(/[^A-Za-z0-9._-]/g, '_');
      const file = path.join(abs, `${safe}.eml`);
      // Write then rename: a reader never sees half a message.
      writeFileSync(file + '.tmp', bytes);
      renameSync(file + '.tmp', file);
      return { messageId: message.messageId, response: `written to ${file}` };
    },
    async close() {},
  };
}
