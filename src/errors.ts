/**
 * The catalogue of error codes. Users script against these codes (exit messages start
 * with them in `--verbose` output and the HTTP API returns them), so the list is pinned by
 * a test: add codes, never rename them.
 */
export const ERROR_CODES = {
  /** The config file is missing, unreadable or does not validate. */
  ECONFIG: 'ECONFIG',
  /** A feed could not be fetched or parsed. */
  EFEED: 'EFEED',
  /** A date has no occurrence of the newsletter's schedule, or is malformed. */
  EDATE: 'EDATE',
  /** An edition has no articles in its window. */
  EEMPTY: 'EEMPTY',
  /** A template failed to render or compile. */
  ETEMPLATE: 'ETEMPLATE',
  /** An unknown newsletter, edition, list or subscriber. */
  ENOTFOUND: 'ENOTFOUND',
  /** A command-line argument or HTTP input is invalid. */
  EINPUT: 'EINPUT',
  /** A CSV file could not be read. */
  ECSV: 'ECSV',
  /** Redis is not reachable. */
  EREDIS: 'EREDIS',
  /** The SMTP relay answered 4xx or the connection failed: try again later. */
  ESMTP_TEMP: 'ESMTP_TEMP',
  /** The SMTP relay answered 5xx for a recipient: do not try again. */
  ESMTP_PERM: 'ESMTP_PERM',
  /** An edition is in a state that does not allow the asked action. */
  ESTATE: 'ESTATE',
  /** A signed token is malformed, forged or for another purpose. */
  ETOKEN: 'ETOKEN',
  /** A secret is missing or too short. */
  ESECRET: 'ESECRET',
  /** HTTP: no or wrong admin token. */
  EAUTH: 'EAUTH',
  /** HTTP: the admin endpoints are off because BRIEF_ADMIN_TOKEN is unset. */
  EDISABLED: 'EDISABLED',
  /** HTTP: an unexpected failure; the details are in the server log. */
  EINTERNAL: 'EINTERNAL',
  /** The process compiling an edition died, or took too long and was stopped. */
  ECOMPILE: 'ECOMPILE',
  /** HTTP: too many failed logins from one client address; try again after Retry-After. */
  ETHROTTLED: 'ETHROTTLED',
  /** `brief preview --png` found no Chromium to take the screenshot with. */
  ECHROMIUM: 'ECHROMIUM',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error whose message is the one line a user sees. `code` is what callers branch on,
 * never the message text.
 */
export class BriefError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BriefError';
    this.code = code;
  }
}

export class ConfigError extends BriefError {
  /** One line per bad field, `path: reason`. */
  readonly issues: string[];
  constructor(file: string, issues: string[]) {
    super('ECONFIG', issues.map((i) => `${file}: ${i}`).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export class FeedError extends BriefError {
  readonly feed: string;
  constructor(feed: string, reason: string, options?: { cause?: unknown }) {
    super('EFEED', `${feed}: ${reason}`, options);
    this.name = 'FeedError';
    this.feed = feed;
  }
}

/** An SMTP failure worth retrying later (4xx reply, connection error, timeout). */
export class TemporarySendError extends BriefError {
  readonly responseCode: number | undefined;
  constructor(message: string, responseCode?: number, options?: { cause?: unknown }) {
    super('ESMTP_TEMP', message, options);
    this.name = 'TemporarySendError';
    this.responseCode = responseCode;
  }
}

/** An SMTP 5xx reply for a recipient: the address is suppressed, never retried. */
export class PermanentSendError extends BriefError {
  readonly responseCode: number;
  constructor(message: string, responseCode: number, options?: { cause?: unknown }) {
    super('ESMTP_PERM', message, options);
    this.name = 'PermanentSendError';
    this.responseCode = responseCode;
  }
}

/** The one line to show a user for any error; stack traces belong to `--verbose`. */
/**
 * A value of the user's (a flag, a field, a line of a file) as it goes into a one-line error:
 * quoted, cut at 100 characters, with every control character (CR, LF, ESC, NUL, C1) escaped,
 * so it can neither break the line nor drive the terminal.
 */
export function quote(raw: unknown): string {
  const s = String(raw);
  return printable(JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s));
}

/** Escapes what JSON.stringify leaves: DEL, the C1 controls, the line and paragraph separators. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function oneLine(err: unknown): string {
  if (err instanceof BriefError) return err.message;
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}
