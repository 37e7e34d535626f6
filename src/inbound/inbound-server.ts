import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { App } from '../wiring.js';
import { resolveConfigPath } from '../config/load.js';
import { BriefError } from '../errors.js';
import { readMessage } from './read-message.js';
import { InboundHandler, eventsOfBounceMessage, resolveVerp, editionOfMessageId, type InboundEvent } from './inbound-handler.js';

/**
 * `brief inbound`: an SMTP endpoint for mail to us, and only to us. RCPT is accepted for our
 * VERP return paths (signed, and known to the index) and the newsletters' unsubscribe
 * mailboxes; anything else is 550, so it can never relay. The reply to DATA comes after the
 * message was acted on: a failure (Redis away) is a 451 and the sending MTA tries again.
 */
export interface InboundServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

type Target = { kind: 'verp'; editionId: string; email: string } | { kind: 'mailbox'; newsletters: string[] };

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** What one message to one of our addresses means. */
export async function eventsFor(app: App, target: Target, raw: Buffer): Promise<InboundEvent[]> {
  const msg = await readMessage(raw);
  if (target.kind === 'verp') return eventsOfBounceMessage(msg, target);
  // The unsubscribe mailbox: mailto unsubscribes, and feedback reports that name our message.
  if (msg.type === 'arf') {
    for (const v of msg.verp) {
      const who = await resolveVerp(app, v);
      if (who) return eventsOfBounceMessage(msg, who);
    }
    if (msg.originalRcptTo) {
      const editionId = msg.messageIds.map((id) => editionOfMessageId(app.config, id, msg.originalRcptTo!)).find(Boolean);
      if (editionId) return [{ kind: 'complaint', email: msg.originalRcptTo, editionId, detail: msg.feedbackType, source: 'arf' }];
    }
    return [];
  }
  if (msg.type !== 'mail') return [];
  // The signed token our mailto subject carries names the recipient, whoever forwards it.
  const token = /\b([a-z2-7]{36})\b/i.exec(msg.subject)?.[1];
  const who = token && app.config.bounces.domain ? await resolveVerp(app, `bounces+${token}@${app.config.bounces.domain}`) : null;
  if (who) return [{ kind: 'unsubscribe', email: who.email, editionId: who.editionId, detail: 'mailto', source: 'mailto' }];
  if (!msg.from) return [];
  return target.newsletters.map((newsletter) => ({ kind: 'unsubscribe' as const, email: msg.from!, newsletter, detail: 'mailto', source: 'mailto' }));
}

export async function startInboundServer(app: App, opts: { port?: number; host?: string } = {}): Promise<InboundServer> {
  const b = app.config.bounces;
  const handler = new InboundHandler(app);
  const mailboxes = new Map<string, string[]>();
  for (const n of app.config.newsletters) {
    if (!n.unsubscribeMailbox) continue;
    const a = n.unsubscribeMailbox.toLowerCase();
    mailboxes.set(a, [...(mailboxes.get(a) ?? []), n.id]);
  }
  let tls: { key: Buffer; cert: Buffer } | undefined;
  if (b.tls) {
    const read = (field: 'certFile' | 'keyFile') => {
      const file = resolveConfigPath(app.config, b.tls![field]);
      try {
        return readFileSync(file);
      } catch (err) {
        throw new BriefError('ECONFIG', `bounces.tls.${field}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
    };
    tls = { cert: read('certFile'), key: read('keyFile') };
  }
  const log = app.logger.child({ component: 'inbound' });
  const targetOf = async (address: string): Promise<Target | null> => {
    const rcpt = address.toLowerCase();
    const mailbox = mailboxes.get(rcpt);
    if (mailbox) return { kind: 'mailbox', newsletters: mailbox };
    const who = await resolveVerp(app, rcpt);
    return who ? { kind: 'verp', ...who } : null;
  };

  const server = new SMTPServer({
    name: b.domain ?? 'localhost',
    banner: 'daily-brief inbound (bounces and unsubscribes only)',
    size: b.maxMessageBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) {
      targetOf(address.address).then(
        (t) => (t ? cb() : cb(smtpError(550, '5.1.1 no such address here (this server takes bounces only, it relays nothing)'))),
        (err: unknown) => {
          log.warn({ err: (err as Error).message }, 'inbound: cannot check a recipient');
          cb(smtpError(451, '4.3.0 try again later'));
        },
      );
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(c);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return cb(smtpError(552, `5.3.4 message larger than ${b.maxMessageBytes} bytes`));
        const raw = Buffer.concat(chunks);
        (async () => {
          // The recipients of this transaction, each checked at RCPT (looked up again: cheap).
          for (const rcpt of session.envelope.rcptTo) {
            const t = await targetOf(rcpt.address);
            if (!t) continue;
            for (const ev of await eventsFor(app, t, raw)) {
              const outcome = await handler.apply(ev);
              log.debug({ kind: ev.kind, source: ev.source, outcome }, 'inbound event');
            }
          }
        })().then(
          () => cb(),
          (err: unknown) => {
            log.warn({ err: (err as Error).message }, 'inbound: a message could not be handled; the sender will retry');
            cb(smtpError(451, '4.3.0 try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.warn({ err: err.message }, 'inbound server error'));
  const host = opts.host ?? app.env.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? app.env.inboundPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return { port, host, close: () => new Promise<void>((r) => server.close(() => r())) };
}
