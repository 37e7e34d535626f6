import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  /** Envelope recipients. */
  rcpt: string[];
  raw: string;
  parsed: ParsedMail;
  messageId: string;
}

export interface SinkFaults {
  /** Reply with this SMTP error to RCPT TO of an address (e.g. 550, 451). Return undefined to accept. */
  rcpt?: (address: string, attempt: number) => { code: number; message: string } | undefined;
  /** Reply with an error after DATA (message not accepted). */
  data?: (rcpt: string[], attempt: number) => { code: number; message: string } | undefined;
  /** Delay each DATA acceptance by this many ms. */
  delayMs?: number;
}

/** A real SMTP server on loopback that keeps and parses everything it accepts. */
export class SmtpSink {
  readonly messages: ReceivedMessage[] = [];
  private readonly rcptAttempts = new Map<string, number>();
  private readonly dataAttempts = new Map<string, number>();
  private server: SMTPServer;
  port = 0;

  constructor(public faults: SinkFaults = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      // Tests stop the sink while pooled clients may still be connected: do not wait 30 s for them.
      closeTimeout: 500,
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) => {
        const a = address.address.toLowerCase();
        const n = (this.rcptAttempts.get(a) ?? 0) + 1;
        this.rcptAttempts.set(a, n);
        const f = this.faults.rcpt?.(a, n);
        if (f) {
          const err = new Error(f.message) as Error & { responseCode: number };
          err.responseCode = f.code;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          const rcpt = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          const key = rcpt.join(',');
          const n = (this.dataAttempts.get(key) ?? 0) + 1;
          this.dataAttempts.set(key, n);
          const f = this.faults.data?.(rcpt, n);
          if (f) {
            const err = new Error(f.message) as Error & { responseCode: number };
            err.responseCode = f.code;
            return cb(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const parsed = await simpleParser(raw);
          if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
          this.messages.push({ rcpt, raw, parsed, messageId: parsed.messageId ?? '' });
          cb();
        });
      },
    });
    this.server.on('error', () => {});
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  /** How many accepted copies each recipient got. */
  copies(): Map<string, number> {
    const m = new Map<string, number>();
    for (const msg of this.messages) for (const r of msg.rcpt) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
