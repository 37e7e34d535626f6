import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * What a message sent to us is, read with mailparser: a DSN (RFC 3464), an ARF complaint
 * (RFC 5965), a bounce in one of the older free-text formats (qmail, Exim, Exchange, the
 * mailbox providers' own), an auto-reply, or plain mail (a mailto unsubscribe). Pure apart
 * from the parse; what to do about it is src/inbound/inbound-handler.ts's business.
 */

export interface DsnRecipient {
  finalRecipient?: string;
  originalRecipient?: string;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  status?: string;
  diagnostic?: string;
}

export type InboundMessage =
  | { type: 'dsn'; recipients: DsnRecipient[]; verp: string[] }
  | { type: 'arf'; feedbackType: string; originalRcptTo?: string; messageIds: string[]; verp: string[] }
  | { type: 'bounce'; text: string; verp: string[] }
  | { type: 'auto-reply' }
  | { type: 'mail'; from?: string; subject: string };

const VERP_LIKE = /\bbounces\+[a-z2-7]{36}@[a-z0-9.-]+\.[a-z]{2,}/gi;
const BOUNCE_FROM = /^(mailer-daemon|postmaster|mail-daemon|mail delivery (subsystem|system))\b/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery (status notification|failure|has failed|failed)|returned mail|failure notice|mail delivery failed|non[- ]?delivery|could not be delivered|returned to sender/i;
const AUTO_SUBJECT = /^\s*(auto(matic)?[- ]?(reply|response)|out of (the )?office|vacation|away from|abwesenheit|absence)/i;

/** Header fields of an RFC 822-style block ("Name: value" lines, continuation lines unfolded). */
export function readFields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      out.set(last, `${out.get(last)} ${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = m[1]!.toLowerCase();
    // The first occurrence wins, as in a DSN each field appears once per group.
    if (!out.has(last)) out.set(last, m[2]!.trim());
    else last = undefined;
  }
  return out;
}

/** The address of "rfc822; a@b" (DSN address fields), or of a bare or bracketed address. */
export function addressOf(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const v = field.replace(/^[a-z0-9-]+\s*;\s*/i, '').trim();
  const m = /<([^>]+)>/.exec(v);
  const a = (m ? m[1]! : v).trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(a) ? a : undefined;
}

/** The per-recipient groups of a message/delivery-status body (the first group is per-message). */
export function readDeliveryStatus(body: string): DsnRecipient[] {
  const groups = body.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/).map(readFields).filter((g) => g.size > 0);
  return groups
    .filter((g) => g.has('action') || g.has('final-recipient'))
    .map((g) => ({
      finalRecipient: addressOf(g.get('final-recipient')),
      originalRecipient: addressOf(g.get('original-recipient')),
      action: (g.get('action') ?? '').toLowerCase().split(/[\s(]/)[0] ?? '',
      status: g.get('status'),
      diagnostic: g.get('diagnostic-code'),
    }));
}

function verpIn(text: string): string[] {
  return [...new Set((text.match(VERP_LIKE) ?? []).map((a) => a.toLowerCase()))];
}

function headerText(parsed: ParsedMail, name: string): string {
  const v = parsed.headers.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text);
  return String(v);
}

export async function readMessage(raw: Buffer | string): Promise<InboundMessage> {
  const parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true });
  const ct = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const reportType = ct?.value === 'multipart/report' ? (ct.params?.['report-type'] ?? '').toLowerCase() : '';
  const parts = parsed.attachments.map((a) => ({ type: a.contentType.toLowerCase(), text: a.content.toString('utf8') }));
  // mailparser renders an inline message/rfc822 into the text, keeping only a few of its
  // headers: the raw message (and the decoded parts, for a base64 one) is searched as well.
  const rawText = typeof raw === 'string' ? raw : raw.toString('latin1');
  const everything = [rawText, parsed.text ?? '', ...parts.map((p) => p.text)].join('\n');

  const status = parts.find((p) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status');
  if (reportType === 'delivery-status' || status) {
    return { type: 'dsn', recipients: status ? readDeliveryStatus(status.text) : [], verp: verpIn(everything) };
  }
  const feedback = parts.find((p) => p.type === 'message/feedback-report');
  if (reportType === 'feedback-report' || feedback) {
    const f = readFields(feedback?.text ?? '');
    // Message-IDs of the reported message: every one in the report but the report's own.
    const own = (parsed.messageId ?? '').replace(/^<|>$/g, '');
    const messageIds = [...new Set([...everything.matchAll(/^message-id:[ \t]*<([^>\s]+)>/gim)].map((m) => m[1]!))].filter((id) => id !== own);
    return {
      type: 'arf',
      feedbackType: (f.get('feedback-type') ?? 'abuse').toLowerCase(),
      originalRcptTo: addressOf(f.get('original-rcpt-to')),
      messageIds,
      verp: verpIn(everything),
    };
  }
  const from = parsed.from?.value[0];
  const fromText = `${from?.name ?? ''} ${from?.address ?? ''}`.trim();
  const subject = parsed.subject ?? '';
  const fromLocal = (from?.address ?? '').split('@')[0] ?? '';
  if (BOUNCE_FROM.test(fromLocal) || BOUNCE_FROM.test(from?.name ?? '') || BOUNCE_SUBJECT.test(subject)) {
    // The notice itself, not the copy of our message most of these formats append below it.
    const notice = (parsed.text ?? '').split(/^[ \t]*-{2,}[ \t]*(below this line|original message|this is a copy|returned message)/im)[0] ?? '';
    return { type: 'bounce', text: notice.slice(0, 20_000), verp: verpIn(everything) };
  }
  const auto = headerText(parsed, 'auto-submitted').toLowerCase();
  if (
    (auto && auto !== 'no') ||
    parsed.headers.has('x-autoreply') ||
    parsed.headers.has('x-autorespond') ||
    /auto_reply|autoreply/i.test(headerText(parsed, 'precedence')) ||
    AUTO_SUBJECT.test(subject)
  ) {
    return { type: 'auto-reply' };
  }
  return { type: 'mail', from: from?.address?.toLowerCase() || (fromText || undefined), subject };
}
