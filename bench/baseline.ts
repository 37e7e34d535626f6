/**
 * The limit on this machine: a raw nodemailer pool (same connection count as the
 * pipeline's poolSize) sending the same edition's HTML and text, with the same headers, to
 * a sink in another process. Nothing else: no Redis, no queue, no ledger, no HMAC.
 */
import nodemailer from 'nodemailer';
import type { NewsletterConfig } from '../src/config/schema.js';
import type { RenderedEdition } from '../src/render/types.js';
import { personalise } from '../src/render/personalise.js';
import { EDITION_DATE, editionIdOf, PUBLIC_URL, subscriber } from './setup.js';
import type { SinkProcess } from './sink-process.js';

export interface BaselineResult {
  messages: number;
  ms: number;
  perSecond: number;
  /** CPU µs of this (sending) process per message. */
  cpuUsPerMessage: number;
  /** CPU µs of the sink per message. */
  sinkCpuUsPerMessage: number;
  bytesPerMessage: number;
}

/** A stand-in for the signed token: the same length, none of the HMAC cost. */
function fakeToken(list: string, email: string, editionId: string): string {
  return `${Buffer.from(`u\n${list}\n${email}\n${editionId}`).toString('base64url')}.${'x'.repeat(43)}`;
}

export interface BaselineOptions {
  sink: SinkProcess;
  poolSize: number;
  n: number;
  newsletter: NewsletterConfig;
  rendered: RenderedEdition;
  /**
   * Send message bytes composed once per variant (nodemailer's `raw`) instead of composing
   * each message: what the pool, the sockets and the sink cost without MIME composition.
   */
  prebuilt?: boolean;
}

export async function runBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const { newsletter, rendered } = opts;
  const transporter = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: opts.sink.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: opts.poolSize,
    maxMessages: Infinity,
  });
  const domain = 'example.org';
  const listId = `${newsletter.title} <${newsletter.id}.${domain}>`;
  const editionId = editionIdOf(newsletter.id);
  const archive = `${PUBLIC_URL}/archive/${newsletter.id}/${EDITION_DATE}`;
  const message = (i: number) => {
    const s = subscriber(i);
    const token = fakeToken(newsletter.lists[0] ?? newsletter.id, s.email, editionId);
    const unsub = `${PUBLIC_URL}/u/${token}`;
    const variant = rendered.variants[s.member ? 'member' : 'public'];
    const { html, text } = personalise(variant, {
      name: s.name,
      email: s.email,
      unsubscribeUrl: unsub,
      preferencesUrl: `${PUBLIC_URL}/p/${token}`,
      viewInBrowserUrl: archive,
    });
    return {
      from: newsletter.from,
      to: s.name ? { name: s.name, address: s.email } : s.email,
      subject: variant.subject,
      html,
      text,
      messageId: `<${editionId}.${i.toString(36).padStart(22, '0')}@${domain}>`,
      date: new Date(),
      headers: {
        'List-Unsubscribe': `<${unsub}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Id': listId,
      },
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  };

  let send = (i: number) => transporter.sendMail(message(i));
  if (opts.prebuilt) {
    const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const raw = new Map<boolean, Buffer>();
    for (const member of [false, true]) {
      const i = member ? 0 : 1; // subscriber 0 is a member, 1 is not
      raw.set(member, (await composer.sendMail(message(i))).message as Buffer);
    }
    send = (i: number) => {
      const s = subscriber(i);
      return transporter.sendMail({ envelope: { from: newsletter.from, to: [s.email] }, raw: raw.get(s.member)! });
    };
  }

  // Enough messages in flight to keep every pooled connection busy; the pool queues the rest.
  const window = opts.poolSize * 4;
  const inFlight = new Set<Promise<unknown>>();
  let failed = 0;
  await opts.sink.reset();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < opts.n; i++) {
    const p: Promise<unknown> = send(i).catch(() => failed++).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  transporter.close();
  const sink = await opts.sink.stats();
  if (failed || sink.messages !== opts.n) throw new Error(`baseline: ${failed} of ${opts.n} messages failed, the sink got ${sink.messages}`);
  return {
    messages: opts.n,
    ms,
    perSecond: (opts.n * 1000) / ms,
    cpuUsPerMessage: Math.round((cpu.user + cpu.system) / opts.n),
    sinkCpuUsPerMessage: Math.round((sink.cpuMs * 1000) / opts.n),
    bytesPerMessage: Math.round(sink.bytes / opts.n),
  };
}
