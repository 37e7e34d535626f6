import { z } from 'zod';
import addressparser from 'nodemailer/lib/addressparser';
import { normaliseAddress } from '../subscribers/normalise-address.js';
import { IANAZone } from 'luxon';
import { CronExpressionParser } from 'cron-parser';
import { STRING_KEYS } from '../i18n/index.js';

/**
 * The shape of `brief.config.json` (the contract in DESIGN.md). Objects are strict:
 * an unknown key is a typo that would otherwise be silently ignored.
 */

const idPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const id = (what: string) =>
  z.string().regex(idPattern, `${what} must be lower-case letters, digits, "-" or "_" (no ":")`);

const timezone = z.string().refine((tz) => IANAZone.isValidZone(tz), {
  error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}`,
});

const cron = z.string().superRefine((pattern, ctx) => {
  // cron-parser reads a 4-field pattern as seconds-first with the rest defaulted, so
  // "0 8 * *" would fire every minute of an hour on the 8th: insist on 5 or 6 fields.
  const fields = pattern.trim().split(/\s+/).length;
  if (!pattern.trim().startsWith('@') && fields !== 5 && fields !== 6) {
    ctx.addIssue({ code: 'custom', message: `invalid cron pattern ${JSON.stringify(pattern)}: needs 5 fields (or 6 with seconds), has ${fields}` });
    return;
  }
  try {
    CronExpressionParser.parse(pattern, { tz: 'UTC' });
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid cron pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`,
    });
  }
});

const locale = z.string().refine(
  (l) => {
    try {
      return Intl.DateTimeFormat.supportedLocalesOf([l]).length > 0;
    } catch {
      return false;
    }
  },
  { error: (issue) => `unknown locale ${JSON.stringify(issue.input)}` },
);

/**
 * A newsletter's own wording of any fixed string (see src/i18n/en.ts for the keys): a
 * strict object, so a misspelt key is refused with its name instead of changing nothing.
 */
const strings = z.strictObject(
  Object.fromEntries(STRING_KEYS.map((k) => [k, z.string().optional()])) as Record<string, z.ZodOptional<z.ZodString>>,
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const sourceSchema = z.strictObject({
  /** Detected from the content when omitted. */
  type: z.enum(['rss', 'atom', 'jsonfeed', 'wordpress']).optional(),
  /** A file path (relative to the config file) or an http(s) URL. */
  url: z.string().min(1, 'must not be empty'),
  /** A label for messages; defaults to the url. */
  name: z.string().optional(),
  /**
   * For demos and the bundled example only: move this source's dates so that its newest
   * item falls one hour before the edition being compiled. @defaultValue false
   */
  shiftToWindow: z.boolean().default(false),
  /**
   * When this source fails, the edition fails too (all-or-nothing for it); otherwise an
   * edition goes out from the sources that read, and the failure is reported.
   * @defaultValue false
   */
  required: z.boolean().default(false),
  /** The base for the feed's relative links when the feed names none (a file feed). */
  /** An http(s) URL, or one starting with `{PUBLIC_URL}` (replaced when the edition is compiled). */
  baseUrl: z.union([httpUrl, z.string().regex(/^\{PUBLIC_URL\}(\/\S*)?$/)], { error: 'must be an http(s) URL or start with {PUBLIC_URL}' }).optional(),
});

export const sectionSchema = z.strictObject({
  title: z.string().min(1),
  tags: z.array(z.string().min(1)).min(1, 'needs at least one tag'),
});

/**
 * Exactly one RFC 5322 mailbox, `Name <addr@domain>` or `addr@domain`: parsed with
 * nodemailer's address parser, one entry, no group, no control characters (a CR/LF would
 * be a header injection), and an address `normaliseAddress` accepts.
 */
const mailbox = (example: string) =>
  z.string().superRefine((raw, ctx) => {
    const bad = (why: string) => ctx.addIssue({ code: 'custom', message: `${why} (one address such as ${example})` });
    if (/[\u0000-\u001f\u007f]/.test(raw)) return bad('must not contain control characters or line breaks');
    const parsed = addressparser(raw);
    if (parsed.length !== 1) return bad(parsed.length ? `holds ${parsed.length} addresses` : 'is not an email address');
    const one = parsed[0]!;
    if ('group' in one) return bad('is an address group');
    if (!normaliseAddress(one.address)) return bad(`${JSON.stringify(one.address)} is not a valid email address`);
    // The parser forgives stray text; a second "@" or "<" outside the one address is not one mailbox.
    const outside = raw.replace(/<[^<>]*>\s*$/, '');
    if (/[<>]/.test(outside) || (raw.includes('<') && (outside.match(/@/g)?.length ?? 0) > 0 && !/^\s*"[^"]*"\s*$/.test(outside))) {
      return bad('is not one mailbox');
    }
  });

/** An origin as browsers send it: `https://host` or `http://host:port`, no path. */
const origin = z.string().superRefine((raw, ctx) => {
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    // reported below
  }
  if (!u || !/^https?:$/.test(u.protocol) || u.origin !== raw) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(raw)} is not an origin such as "https://www.example.org" (scheme, host and port only, no path or trailing slash)` });
  }
});

/** Signup forms and double opt-in (issue 15). */
export const signupSchema = z.strictObject({
  /**
   * Ask new addresses to confirm by email before they receive anything. Turn off only for
   * lists whose readers gave consent elsewhere. @defaultValue true
   */
  doubleOptIn: z.boolean().default(true),
  /** Sites that may embed the form (`brief form`) or post to it with fetch (CORS). @defaultValue [] */
  allowedOrigins: z.array(origin).default([]),
  /** What the consent record keeps of the client's IP address. @defaultValue "hash" */
  storeIp: z.enum(['hash', 'full', 'none']).default('hash'),
  /** Send `templates/welcome.mjml` once, when an address is confirmed. @defaultValue false */
  welcome: z.boolean().optional(),
});

export const newsletterSchema = z.strictObject({
  id: id('id'),
  title: z.string().min(1),
  /** RFC 5322 address, e.g. `The Brief <brief@example.org>`. */
  from: mailbox('"Name <brief@example.org>"'),
  replyTo: mailbox('"Desk <desk@example.org>"').optional(),
  timezone,
  /** @defaultValue "en-GB" */
  locale: locale.default('en-GB'),
  /** Overrides of the locale's fixed strings, by key (`"email.picks": "Our picks"`). */
  strings: strings.optional(),
  /** Cron pattern (5 or 6 fields) evaluated in `timezone`. */
  schedule: cron,
  lists: z.array(id('list')).min(1, 'needs at least one list'),
  sources: z.array(sourceSchema).min(1, 'needs at least one source'),
  /** @defaultValue [] — everything goes under `catchAllTitle` */
  sections: z.array(sectionSchema).default([]),
  /** @defaultValue "daily-brief" — a file `templates/NAME.mjml` */
  template: z.string().regex(/^[a-z0-9_-]+$/i).default('daily-brief'),
  /**
   * Subject line; `{title}` and `{date}` are replaced.
   * @defaultValue "{title} — {date}"
   */
  subject: z.string().min(1).default('{title} — {date}'),
  /** Preheader text shown by mail clients after the subject; defaults to the lead story's title. */
  preheader: z.string().optional(),
  /** @defaultValue "More news" */
  catchAllTitle: z.string().min(1).default('More news'),
  /** Articles carrying this tag are the lead story (else the newest). @defaultValue "featured" */
  featuredTag: z.string().min(1).default('featured'),
  /** Articles carrying this tag are editor's picks. @defaultValue "editors-pick" */
  picksTag: z.string().min(1).default('editors-pick'),
  /** Articles carrying this category are members-only. @defaultValue "members-only" */
  membersOnlyTag: z.string().min(1).default('members-only'),
  /** @defaultValue 30 */
  maxArticles: z.number().int().min(1).max(200).default(30),
  membership: z
    .strictObject({
      text: z.string().min(1),
      url: httpUrl,
      button: z.string().min(1).default('Become a member'),
    })
    .optional(),
  /** The sender's postal address, shown in the footer (CAN-SPAM). */
  postalAddress: z.string().optional(),
  /** A mailbox for `mailto:` List-Unsubscribe; omitted when unset. */
  unsubscribeMailbox: mailbox('"unsubscribe@example.org"').optional(),
  /** The signup form and its double opt-in. */
  signup: signupSchema.default(() => signupSchema.parse({})),
  /**
   * "required": each edition is compiled `approvalLeadMinutes` before its occurrence into
   * state awaiting-approval and goes out only once approved. @defaultValue "none"
   */
  approval: z.enum(['none', 'required']).default('none'),
  /** How long before the occurrence the edition awaits approval. @defaultValue 60 */
  approvalLeadMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60),
  /** Addresses told by email that an edition awaits approval. @defaultValue [] */
  approvers: z.array(mailbox('"editor@example.org"')).max(50).default([]),
});

export const deliverySchema = z.strictObject({
  /** Recipients per send-batch job. @defaultValue 500 */
  batchSize: z.number().int().min(1).max(10_000).default(500),
  /** SMTP connections per worker process. @defaultValue 5 */
  poolSize: z.number().int().min(1).max(100).default(5),
  /** Messages per second across all workers; 0 means unlimited. @defaultValue 0 */
  ratePerSecond: z.number().min(0).default(0),
  /** Attempts of a batch before its temporarily failing recipients count as failed. @defaultValue 8 */
  attempts: z.number().int().min(1).max(50).default(8),
  /** First retry delay in ms; doubles each attempt, with jitter. @defaultValue 2000 */
  backoffMs: z.number().int().min(10).default(2000),
  /** send-batch jobs one worker process runs at once. @defaultValue 2 */
  concurrency: z.number().int().min(1).max(64).default(2),
  /**
   * How long a worker holds a job before others may take it over (after a crash, a batch
   * waits this long before another worker re-runs it). @defaultValue 30000
   */
  lockDurationMs: z.number().int().min(1000).default(30_000),
});

export const dkimSchema = z.strictObject({
  domainName: z.string().min(1),
  keySelector: z.string().min(1),
  /** Path to a PEM private key, relative to the config file. */
  privateKeyFile: z.string().min(1),
});

/** A secret given in the config, or `env:NAME` to read it from the environment at start. */
const secretValue = z.string().min(1, 'must not be empty');

export const bouncesSchema = z.strictObject({
  /** The return-path domain: envelope senders become `bounces+TOKEN@domain`; its MX points at `brief inbound`. */
  domain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as "bounces.example.org"').optional(),
  /** Soft bounces within `softWindowDays` that suppress an address. @defaultValue 3 */
  softLimit: z.number().int().min(1).max(100).default(3),
  /** @defaultValue 30 */
  softWindowDays: z.number().int().min(1).max(365).default(30),
  /** Largest inbound message `brief inbound` accepts, in bytes. @defaultValue 1048576 */
  maxMessageBytes: z.number().int().min(10_000).default(1024 * 1024),
  /** PEM certificate and key for STARTTLS on `brief inbound` (relative to the config file). */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  webhooks: z
    .strictObject({
      postmark: z.strictObject({ username: secretValue, password: secretValue }).optional(),
      sendgrid: z.strictObject({ publicKey: secretValue }).optional(),
      mailgun: z.strictObject({ signingKey: secretValue }).optional(),
      ses: z.strictObject({ topicArns: z.array(z.string().min(1)).min(1), certificateFile: z.string().optional() }).optional(),
    })
    .default({}),
});

export const configSchema = z
  .strictObject({
    newsletters: z.array(newsletterSchema).min(1, 'needs at least one newsletter'),
    delivery: deliverySchema.default(() => deliverySchema.parse({})),
    dkim: dkimSchema.optional(),
    /** Return path, inbound bounces and complaints, ESP webhooks (issue 16). */
    bounces: bouncesSchema.default(() => bouncesSchema.parse({})),
    /** Where messages go when SMTP_URL is unset. @defaultValue "./outbox" */
    outboxDir: z.string().default('./outbox'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.newsletters.forEach((n, i) => {
      if (seen.has(n.id)) {
        ctx.addIssue({ code: 'custom', path: ['newsletters', i, 'id'], message: `duplicate newsletter id "${n.id}"` });
      }
      seen.add(n.id);
      if (n.approval === 'required' && n.approvers.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['newsletters', i, 'approvers'], message: 'approval "required" needs at least one approver address' });
      }
    });
  });

export type SourceConfig = z.infer<typeof sourceSchema>;
export type SectionConfig = z.infer<typeof sectionSchema>;
export type NewsletterConfig = z.infer<typeof newsletterSchema>;
export type SignupConfig = z.infer<typeof signupSchema>;
export type DeliveryConfig = z.infer<typeof deliverySchema>;
export type DkimConfig = z.infer<typeof dkimSchema>;
export type BouncesConfig = z.infer<typeof bouncesSchema>;
export type BriefConfig = z.infer<typeof configSchema> & {
  /** Absolute path of the file the config came from. */
  file: string;
  /** Absolute folder that relative paths in the config resolve against. */
  baseDir: string;
};
