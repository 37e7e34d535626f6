import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real smtp-server on loopback for the reliability suites. Unlike tests/helpers/SmtpSink
 * it does not run mailparser on every message (about 12 ms each, which would dominate a
 * send of thousands): it keeps the envelope, the Message-ID and the header block, and
 * parses a message only when a test asks. The fault hooks have the same shape.
 */
export interface AcceptedMessage {
  /** Envelope recipients, lower-case. */
  rcpt: string[];
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
  /** The raw header block (folded as sent). */
  head: string;
  /** The whole raw message, when the sink was made with `keepRaw`. */
  raw?: string;
  /** Date.now() when the sink accepted it. */
  at: number;
}

export type SmtpFault = { code: number; message: string };

export interface RecordingSinkFaults {
  /** Refuse a new connection with this greeting error (a 421 closes it). `n` counts connections from 1. */
  connect?: (n: number) => SmtpFault | undefined;
  /** Reply to RCPT TO with this error (a 421 also closes the connection). `attempt` counts from 1 per address. */
  rcpt?: (address: string, attempt: number) => SmtpFault | undefined;
  /**
   * After the message data arrived: reply with this error, or 'drop' the connection without
   * any reply (the client cannot know whether it was accepted). `attempt` counts from 1 per address.
   */
  data?: (rcpt: string[], attempt: number) => SmtpFault | 'drop' | undefined;
  /** Delay before accepting each message, in ms (a number, or per message). */
  delayMs?: number | ((rcpt: string[]) => number);
}

export class RecordingSink {
  readonly messages: AcceptedMessage[] = [];
  /** Connections dropped or refused by a fault, for the report. */
  readonly faultCounts = { connect: 0, rcpt: 0, data: 0, drop: 0 };
  private connections = 0;
  private readonly sockets = new Map<number, Socket>();
  private readonly rcptAttempts = new Map<string, number>();
  private readonly dataAttempts = new Map<string, number>();
  private readonly server: SMTPServer;
  port = 0;

  constructor(
    public faults: RecordingSinkFaults = {},
    private readonly opts: { keepRaw?: boolean } = {},
  ) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Many worker restarts each open a pool; the default limit would refuse them.
      maxClients: 1000,
      size: 20 * 1024 * 1024,
      onConnect: (_session: SMTPServerSession, cb: (err?: Error | null) => void) => {
        const f = this.faults.connect?.(++this.connections);
        if (f) {
          this.faultCounts.connect++;
          return cb(Object.assign(new Error(f.message), { responseCode: f.code }));
        }
        cb();
      },
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) => {
        const a = address.address.toLowerCase();
        const n = (this.rcptAttempts.get(a) ?? 0) + 1;
        this.rcptAttempts.set(a, n);
        const f = this.faults.rcpt?.(a, n);
        if (f) {
          this.faultCounts.rcpt++;
          return cb(Object.assign(new Error(f.message), { responseCode: f.code }));
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void (async () => {
            const rcpt = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
            const key = rcpt.join(',');
            const n = (this.dataAttempts.get(key) ?? 0) + 1;
            this.dataAttempts.set(key, n);
            const f = this.faults.data?.(rcpt, n);
            if (f === 'drop') {
              this.faultCounts.drop++;
              // The session has no socket (tests/helpers/SmtpSink's 'drop' relies on one and
              // so never drops): find the connection by the client's port.
              this.sockets.get(session.remotePort)?.destroy();
              return;
            }
            if (f) {
              this.faultCounts.data++;
              return cb(Object.assign(new Error(f.message), { responseCode: f.code }));
            }
            const d = typeof this.faults.delayMs === 'function' ? this.faults.delayMs(rcpt) : this.faults.delayMs;
            if (d) await new Promise((r) => setTimeout(r, d));
            const raw = Buffer.concat(chunks).toString('utf8');
            const end = raw.search(/\r?\n\r?\n/);
            const head = end < 0 ? raw : raw.slice(0, end);
            const messageId = /^Message-ID:\s*(<[^>\r\n]*>)/im.exec(head)?.[1] ?? '';
            // Recorded before the 250 goes out: a process killed before it reads the 250
            // has a message the relay accepted and the ledger does not know about.
            this.messages.push({ rcpt, messageId, head, at: Date.now(), ...(this.opts.keepRaw ? { raw } : {}) });
            cb();
          })();
        });
      },
    });
    this.server.on('error', () => {});
    this.server.server.on('connection', (socket: Socket) => {
      const port = socket.remotePort ?? 0;
      this.sockets.set(port, socket);
      socket.once('close', () => {
        if (this.sockets.get(port) === socket) this.sockets.delete(port);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true`;
  }

  /** Resolves once no message was accepted for `quietMs` (at most `timeoutMs`); returns the count then. */
  async quiet(quietMs: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.messages.at(-1)?.at ?? 0;
      if (Date.now() - last >= quietMs) return this.messages.length;
      if (Date.now() > deadline) throw new Error(`the relay still accepted messages after ${timeoutMs} ms (${this.messages.length} so far)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Distinct recipients that have at least one accepted copy. */
  uniqueRecipients(): number {
    return this.copies().size;
  }

  copies(): Map<string, number> {
    const m = new Map<string, number>();
    for (const msg of this.messages) for (const r of msg.rcpt) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  }

  /** The parsed copies a recipient got (needs `keepRaw`). */
  async parsedFor(address: string): Promise<ParsedMail[]> {
    const mine = this.messages.filter((m) => m.rcpt.includes(address.toLowerCase()));
    return Promise.all(mine.map((m) => simpleParser(m.raw ?? '')));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      this.server.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
