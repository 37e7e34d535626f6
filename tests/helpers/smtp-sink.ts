/**
 * The one SMTP sink of the tests: a real smtp-server on loopback that records what it
 * accepts (envelope, Message-ID, header block, and the raw message unless told not to) and
 * parses a message with mailparser only when a test asks. Parsing every message as it
 * arrives (about 10 ms of CPU each) would make the sink, not `brief`, the bottleneck of any
 * send of thousands. Fault hooks let a test play a relay that refuses, defers or drops.
 */
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedMessage {
  /** Envelope recipients, lower-case. */
  rcpt: string[];
  /** The envelope sender (MAIL FROM), as given. */
  mailFrom: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
  /** The raw header block, folded as sent. */
  head: string;
  /** The whole raw message (unless the sink was made with `keepRaw: false`). */
  raw?: string;
  /** Date.now() when the sink accepted it. */
  at: number;
  /** A header's first value, unfolded; undefined when absent. */
  header(name: string): string | undefined;
  /** The message as mailparser reads it (parsed once, on first call; needs the raw message). */
  parse(): Promise<ParsedMail>;
}

export type SmtpFault = { code: number; message: string };

export interface SinkFaults {
  /** Refuse a new connection with this greeting error (a 421 closes it). `n` counts connections from 1. */
  connect?: (n: number) => SmtpFault | undefined;
  /** Reply to RCPT TO with this error (a 421 also closes the connection). `attempt` counts from 1 per address. */
  rcpt?: (address: string, attempt: number) => SmtpFault | undefined;
  /**
   * After the message data arrived: reply with this error, or 'drop' the connection without
   * any reply (the client cannot know whether it was accepted). `attempt` counts from 1 per
   * recipient set.
   */
  data?: (rcpt: string[], attempt: number) => SmtpFault | 'drop' | undefined;
  /** Delay before accepting each message, in ms (a number, or per message). */
  delayMs?: number | ((rcpt: string[]) => number);
}

function received(rcpt: string[], raw: string, keepRaw: boolean, mailFrom = ''): ReceivedMessage {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  let parsed: Promise<ParsedMail> | undefined;
  return {
    rcpt,
    mailFrom,
    messageId: /^Message-ID:\s*(<[^>\r\n]*>)/im.exec(head)?.[1] ?? '',
    head,
    ...(keepRaw ? { raw } : {}),
    at: Date.now(),
    header(name: string) {
      const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}:[ \\t]*(.*)$`, 'im');
      return re.exec(unfolded)?.[1]?.trim();
    },
    parse() {
      if (!keepRaw) return Promise.reject(new Error('this sink keeps no raw messages (keepRaw: false)'));
      parsed ??= simpleParser(raw);
      return parsed;
    },
  };
}

export class SmtpSink {
  readonly messages: ReceivedMessage[] = [];
  /** Faults the sink played, for reports. */
  readonly faultCounts = { connect: 0, rcpt: 0, data: 0, drop: 0 };
  private connections = 0;
  private readonly sockets = new Map<number, Socket>();
  private readonly rcptAttempts = new Map<string, number>();
  private readonly dataAttempts = new Map<string, number>();
  private readonly server: SMTPServer;
  port = 0;

  /** `keepRaw: false` keeps only envelopes and headers, for sends of thousands. */
  constructor(
    public faults: SinkFaults = {},
    private readonly opts: { keepRaw?: boolean } = {},
  ) {
    const keepRaw = this.opts.keepRaw ?? true;
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Worker restarts each open a pool; the default limit would refuse them.
      maxClients: 1000,
      size: 20 * 1024 * 1024,
      // Tests stop the sink while pooled clients may still be connected: do not wait 30 s.
      closeTimeout: 500,
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
              // The session has no socket: find the connection by the client's port.
              this.sockets.get(session.remotePort)?.destroy();
              return;
            }
            if (f) {
              this.faultCounts.data++;
              return cb(Object.assign(new Error(f.message), { responseCode: f.code }));
            }
            const d = typeof this.faults.delayMs === 'function' ? this.faults.delayMs(rcpt) : this.faults.delayMs;
            if (d) await new Promise((r) => setTimeout(r, d));
            // Recorded before the 250 goes out: a process killed before it reads the 250
            // has a message the relay accepted and the ledger does not know about.
            this.messages.push(received(rcpt, Buffer.concat(chunks).toString('utf8'), keepRaw, session.envelope.mailFrom ? session.envelope.mailFrom.address : ''));
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

  /** How many accepted copies each recipient got. */
  copies(): Map<string, number> {
    const m = new Map<string, number>();
    for (const msg of this.messages) for (const r of msg.rcpt) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  }

  /** Distinct recipients that have at least one accepted copy. */
  uniqueRecipients(): number {
    return this.copies().size;
  }

  /** The parsed copies a recipient got. */
  parsedFor(address: string): Promise<ParsedMail[]> {
    return Promise.all(this.messages.filter((m) => m.rcpt.includes(address.toLowerCase())).map((m) => m.parse()));
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
