import type { MimeParts } from '../render/mime-parts.js';

/** A message ready for a transport: everything personal is already filled in. */
export interface OutgoingMessage {
  from: string;
  replyTo?: string;
  to: { name?: string; address: string };
  subject: string;
  /**
   * The text and HTML alternatives as finished MIME parts (headers, blank line, encoded
   * body): the shared bulk of them is encoded once per edition, not once per recipient.
   */
  parts: MimeParts;
  /** Without angle brackets: `daily-2025-09-05.ab12cd@example.org`. */
  messageId: string;
  date: Date;
  /** The envelope sender (VERP return path); unset: the From address. */
  envelopeFrom?: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id), ASCII and written as they are. */
  headers: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  /** The relay's reply (`250 OK queued as …`) or where the file went. */
  response: string;
}

/**
 * The tiny contract every transport meets (nodemailer's habit): SMTP, the outbox folder
 * and test doubles are interchangeable. `send` rejects with TemporarySendError or
 * PermanentSendError (src/errors.ts), classified by the SMTP reply code.
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Where messages go, for messages to people (no password). */
  readonly description: string;
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}
