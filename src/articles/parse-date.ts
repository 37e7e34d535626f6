/**
 * Parses the date formats feeds use into a Date, or undefined when the text is not a
 * date this module can read with certainty.
 *
 * RFC 822/2822 (`Thu, 04 Sep 2025 10:15:00 +0400`, with `GMT`, `EST` or a military zone)
 * and ISO 8601 / RFC 3339 with any offset (`2025-09-04T06:15:00+04:00`). A time without a
 * zone is read as UTC: feeds that omit it are rare, and any fixed guess is as good as the
 * host's zone while being the same on every machine.
 */
export function parseFeedDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const s = text.trim();
  // Real dates are short; the limit keeps hostile input away from the regular expressions.
  if (!s || s.length > 64) return undefined;
  return parseIso(s) ?? parseRfc822(s);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(s: string): Date | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), ms, isoOffset(zone));
}

function isoOffset(zone: string): number | undefined {
  if (/^(z|utc)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** RFC 822 §5 and RFC 2822 §4.3 zone names, in minutes east of UTC. */
const NAMED_ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  // Not in the RFCs but common in European feeds, and unambiguous.
  CET: 60, CEST: 120, EET: 120, EEST: 180, WET: 0, WEST: 60,
};

// Day name optional; month may be spelled out; year 2 or 4 digits; seconds optional.
const RFC822 =
  /^(?:[A-Za-z]{2,9},?\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[+-]\d{2}:\d{2}|[A-Za-z]{1,5})?$/;

function parseRfc822(s: string): Date | undefined {
  const m = RFC822.exec(s);
  if (!m) return undefined;
  const [, d, monName, yText, h, mi, sec = '0', zone = 'GMT'] = m;
  const month = MONTHS.indexOf(monName!.slice(0, 3).toLowerCase()) + 1;
  if (month === 0) return undefined;
  let year = Number(yText);
  // RFC 2822 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx.
  if (yText!.length === 2) year += year < 50 ? 2000 : 1900;
  return build(year, month, Number(d), Number(h), Number(mi), Number(sec), 0, rfcOffset(zone));
}

function rfcOffset(zone: string): number | undefined {
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const upper = zone.toUpperCase();
  if (upper in NAMED_ZONES) return NAMED_ZONES[upper];
  // RFC 2822 §4.3: military zones were specified with the wrong sign, so they carry no
  // information and are read as UTC.
  if (/^[A-IK-Z]$/.test(upper)) return 0;
  return undefined;
}

function build(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number | undefined,
): Date | undefined {
  if (offsetMinutes === undefined) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  // Date.UTC rolls 31 February over into March; a feed that says so has no usable date.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1) return undefined;
  const t = utc - offsetMinutes * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}
