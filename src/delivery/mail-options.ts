import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMessage } from './transport.js';

/** The nodemailer message for an OutgoingMessage; shared by SMTP and the outbox so both write the same bytes. */
export function toMailOptions(m: OutgoingMessage): SendMailOptions {
  return {
    from: m.from,
    replyTo: m.replyTo,
    to: m.to.name ? { name: m.to.name, address: m.to.address } : m.to.address,
    subject: m.subject,
    // Pre-built parts go out as they are; nodemailer still writes the headers and signs.
    text: { raw: m.parts.text },
    html: { raw: m.parts.html },
    messageId: `<${m.messageId}>`,
    date: m.date,
    headers: m.headers,
    // With a bounce domain the return path is VERP, so a DSN names edition and recipient.
    envelope: m.envelopeFrom ? { from: m.envelopeFrom, to: [m.to.address] } : undefined,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
