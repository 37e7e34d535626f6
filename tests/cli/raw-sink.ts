/**
 * A real SMTP server on loopback that keeps what it accepts as raw text and parses a
 * message (mailparser) only when asked. tests/helpers/smtp-sink.ts parses every message
 * before it answers the DATA command (about 9 ms of CPU each), which for a send of two
 * thousand makes the sink, not `brief`, the bottleneck of the throughput being measured.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface RawMessage {
  /** Envelope recipients, lower-case. */
  rcpt: string[];
  raw: string;
  /** The header block with folded lines unfolded. */
  headers: string;
}

export class RawSink {
  readonly messages: RawMessage[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const end = raw.search(/\r?\n\r?\n/);
        this.messages.push({
          rcpt: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
          headers: raw.slice(0, end < 0 ? raw.length : end).replace(/\r?\n[ \t]+/g, ' '),
        });
        cb();
      });
    },
  });
  port = 0;

  constructor() {
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

  /** A header's value (the first one), from the unfolded header block. */
  static header(msg: RawMessage, name: string): string | undefined {
    const re = new RegExp(`^${name.replace(/-/g, '\\-')}:[ \\t]*(.*)$`, 'im');
    return re.exec(msg.headers)?.[1]?.trim();
  }

  static parse(msg: RawMessage): Promise<ParsedMail> {
    return simpleParser(msg.raw);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
