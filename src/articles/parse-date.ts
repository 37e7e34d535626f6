/**
 * Parses the date formats feeds use into a Date, or undefined when the text is not a
 * date this module can read with certainty. It reads what feedparser and gofeed read:
 *
 * - RFC 822/2822 with or without weekday, seconds or zone (`Thu, 04 Sep 2025 10:15:00 +0400`,
 *   `4 Sep 2025 10:15 GMT`), day and month swapped, named zones (UT, GMT, EST/EDT, PST,
 *   CET/CEST, MET/MEST, military letters), `GMT+2`, `Etc/GMT`;
 * - asctime (`Sun Jan  4 16:29:06 2004`) and JavaScript's `Thu Aug 30 2012 17:26:16 +0200 (CEST)`;
 * - ISO 8601 / RFC 3339 / W3CDTF, with or without separators, partial dates (`2003`,
 *   `2003-12`), any offset; `2020/1/10 14:33:00`;
 * - weekday and month names in Greek and Hungarian, and the Korean formats feedparser reads;
 *   Portuguese, Spanish, French, German, Italian and Dutch month abbreviations.
 *
 * A time without a zone is read as UTC: feeds that omit it are rare, and any fixed guess
 * is as good as the host's zone while being the same on every machine. A date that cannot
 * exist (`+99:99`, 31 February, `2013-01-27-01`) is refused, not guessed at.
 */
export function parseFeedDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const s = text.trim().replace(/\s+/g, ' ');
  // Real dates are short; the limit keeps hostile input away from the regular expressions.
  if (!s || s.length > 64) return undefined;
  return parseIso(s) ?? parseCompactIso(s) ?? parseSlashed(s) ?? parseKorean(s) ?? parseHungarian(s) ?? parseRfc822(s) ?? parseAsctime(s);
}

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?\s?(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(s: string): Date | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo = '1', d = '1', h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  // A zone after a date without a time (`2013-01-27-01`) is not a date.
  if (m[8] && m[4] === undefined) return undefined;
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), ms, numericOffset(zone));
}

/** ISO 8601 basic format: `20031231T235959Z`, `20031231`, `20031231T2359+0100`. */
const COMPACT_ISO = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseCompactIso(s: string): Date | undefined {
  const m = COMPACT_ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  if (m[8] && m[4] === undefined) return undefined;
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), ms, numericOffset(zone));
}

/** `2020/1/10 14:33:00`, `2020/01/10`: year first, then month and day. */
const SLASHED = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s?(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/;

function parseSlashed(s: string): Date | undefined {
  const m = SLASHED.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', zone = 'Z'] = m;
  return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), 0, zoneOffset(zone));
}

/** Korean blog engines: `2004년 05월 28일 01:31:15` (OnBlog) and `2004-05-25 오후 11:23:17` (Nate), in KST. */
function parseKorean(s: string): Date | undefined {
  const onblog = /^(\d{4})년 ?(\d{1,2})월 ?(\d{1,2})일 ?(\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (onblog) {
    const [, y, mo, d, h, mi, sec] = onblog;
    return build(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), 0, 9 * 60);
  }
  const nate = /^(\d{4})-(\d{2})-(\d{2}) (오전|오후) (\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (nate) {
    const [, y, mo, d, half, h, mi, sec] = nate;
    let hour = Number(h);
    if (hour > 12) return undefined;
    if (half === '오후' && hour < 12) hour += 12;
    if (half === '오전' && hour === 12) hour = 0;
    return build(Number(y), Number(mo), Number(d), hour, Number(mi), Number(sec), 0, 9 * 60);
  }
  return undefined;
}

const HUNGARIAN_MONTHS: Record<string, number> = {
  január: 1, február: 2, március: 3, április: 4, május: 5, június: 6,
  július: 7, augusztus: 8, szeptember: 9, október: 10, november: 11, december: 12,
};

/** `2004-július-13T9:15-05:00`, as feedparser reads Hungarian feeds. */
function parseHungarian(s: string): Date | undefined {
  const m = /^(\d{4})-([^\d\s-]+)-(\d{1,2})T(\d{1,2}):(\d{2})([+-]\d{1,2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const month = HUNGARIAN_MONTHS[m[2]!.toLowerCase()];
  if (!month) return undefined;
  return build(Number(m[1]), month, Number(m[3]), Number(m[4]), Number(m[5]), 0, 0, numericOffset(m[6]!.replace(/^([+-])(\d):/, '$10$2:')));
}

/**
 * Month names by their first three (or four) letters: English, the Greek names feedparser
 * knows, and the Portuguese, Spanish, French, German, Italian and Dutch abbreviations that
 * newsroom feeds write (`Seg, 24 Set 2018`). None of them means two different months.
 */
const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  fev: 2, abr: 4, mai: 5, ago: 8, set: 9, out: 10, dez: 12, ene: 1, dic: 12,
  fév: 2, avr: 4, juin: 6, juil: 7, aoû: 8, déc: 12, mär: 3, okt: 10,
  gen: 1, mag: 5, giu: 6, lug: 7, ott: 10, mrt: 3, mei: 5,
  ιαν: 1, φεβ: 2, μάώ: 3, μαώ: 3, μάρ: 3, μαρ: 3, απρ: 4, μάι: 5, μαϊ: 5, μαι: 5, ιούν: 6, ιον: 6, ιουν: 6,
  ιούλ: 7, ιολ: 7, ιουλ: 7, αύγ: 8, αυγ: 8, σεπ: 9, οκτ: 10, νοέ: 11, νοε: 11, δεκ: 12,
};

function monthOf(name: string): number | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return MONTHS[lower] ?? MONTHS[lower.slice(0, 4)] ?? MONTHS[lower.slice(0, 3)];
}

/** RFC 822 §5, RFC 2822 §4.3 and the names feedparser adds, in minutes east of UTC. */
const NAMED_ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0,
  AST: -240, ADT: -180, AT: -240, EST: -300, EDT: -240, ET: -300, CST: -360, CDT: -300, CT: -360,
  MST: -420, MDT: -360, MT: -420, PST: -480, PDT: -420, PT: -480,
  // Not in the RFCs but common in European feeds, and unambiguous.
  CET: 60, CEST: 120, MET: 60, MEST: 120, MEZ: 60, MESZ: 120, EET: 120, EEST: 180, WET: 0, WEST: 60, BST: 60,
  // The military letters feedparser gives an offset; the others are read as UTC (below).
  A: -60, N: 60, M: -720, Y: 720,
};

/**
 * Day name optional (any language: the weekday carries no information once the date is
 * known); day and month in either order; year 2 or 4 digits; seconds and zone optional.
 */
const RFC822 =
  /^(?:[^\s\d,]{2,12}\.?,? ?)?(?:(\d{1,2}) ([^\s\d]{3,12})|([^\s\d]{3,12}) (\d{1,2}),?) (\d{4}|\d{2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)? ?([+-]\d{4}|[+-]\d{2}:\d{2}|[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|Etc\/GMT)?$/;

function parseRfc822(s: string): Date | undefined {
  const m = RFC822.exec(s.replace(/,(?=\S)/, ', '));
  if (!m) return undefined;
  const [, d1, mon1, mon2, d2, yText, h = '0', mi = '0', sec = '0', zone = 'GMT'] = m;
  const month = monthOf((mon1 ?? mon2)!);
  if (!month) return undefined;
  let year = Number(yText);
  // RFC 2822 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx.
  if (yText!.length === 2) year += year < 50 ? 2000 : 1900;
  return build(year, month, Number(d1 ?? d2), Number(h), Number(mi), Number(sec), 0, zoneOffset(zone));
}

/**
 * asctime (`Sun Jan  4 16:29:06 2004`, optionally with a zone before the year) and
 * JavaScript's Date string (`Thu Aug 30 2012 17:26:16 GMT+0200 (CEST)`).
 */
function parseAsctime(s: string): Date | undefined {
  const asc = /^[A-Za-z]{3,9},? ([A-Za-z]{3,9}) (\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ([+-]\d{4}|[A-Za-z]{1,5}))? (\d{4})$/.exec(s);
  if (asc) {
    const [, mon, d, h, mi, sec = '0', zone = 'GMT', y] = asc;
    const month = monthOf(mon!);
    return month ? build(Number(y), month, Number(d), Number(h), Number(mi), Number(sec), 0, zoneOffset(zone)) : undefined;
  }
  const js = /^[A-Za-z]{3,9},? ([A-Za-z]{3,9}) (\d{1,2}) (\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?((?:GMT|UTC)?[+-]\d{4}|[A-Za-z]{1,5})?(?: \([^()]{1,40}\))?$/.exec(s);
  if (js) {
    const [, mon, d, y, h, mi, sec = '0', zone = 'GMT'] = js;
    const month = monthOf(mon!);
    return month ? build(Number(y), month, Number(d), Number(h), Number(mi), Number(sec), 0, zoneOffset(zone.replace(/^(GMT|UTC)(?=[+-])/, ''))) : undefined;
  }
  return undefined;
}

/** `+04:00`, `+0400`, `+04`, `Z`: minutes east of UTC; undefined for an offset no place has. */
function numericOffset(zone: string): number | undefined {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  // Real offsets run from -12:00 to +14:00; `+99:99` is a typo or garbage, not a place.
  if (hours > 14 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return m[1] === '-' ? -total : total;
}

function zoneOffset(zone: string): number | undefined {
  if (/^[+-]\d/.test(zone)) return numericOffset(zone.length === 5 || zone.includes(':') ? zone : zone.replace(/^([+-])(\d)$/, '$10$2'));
  if (/^etc\/gmt$/i.test(zone)) return 0;
  // `GMT+2`, `UTC-05:00`
  const shifted = /^(?:GMT|UTC|UT)([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone);
  if (shifted) return numericOffset(`${shifted[1]}${shifted[2]!.padStart(2, '0')}:${shifted[3] ?? '00'}`);
  const upper = zone.toUpperCase();
  if (upper in NAMED_ZONES) return NAMED_ZONES[upper];
  // RFC 2822 §4.3: military zones were specified with the wrong sign, so the other letters
  // carry no information and are read as UTC.
  if (/^[A-IK-Z]$/.test(upper)) return 0;
  return undefined;
}

function build(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number | undefined,
): Date | undefined {
  if (offsetMinutes === undefined) return undefined;
  if (y < 1970 - 100 || y > 9999) return undefined;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  if (h === 24 && (mi > 0 || s > 0)) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  // Date.UTC rolls 31 February over into March; a feed that says so has no usable date.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1) return undefined;
  const t = utc - offsetMinutes * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}
