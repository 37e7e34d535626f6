import { DateTime } from 'luxon';

/**
 * The edition date as a reader says it, in the newsletter's locale and time zone:
 * "Friday, 5 September 2025" (en-GB), "Freitag, 5. September 2025" (de-DE).
 * `date` is the edition's YYYY-MM-DD in that zone.
 */
export function formatEditionDate(date: string, timezone: string, locale: string): string {
  return DateTime.fromISO(date, { zone: timezone })
    .setLocale(locale)
    .toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/**
 * One formatter per locale and zone. A luxon DateTime per story cost ~0.3 ms each (zone
 * offset maths and locale resolution every time) — a third of an edition's Handlebars
 * render — where a reused Intl formatter with luxon's TIME_SIMPLE options costs ~3 µs.
 */
const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** A story's publication time of day in the newsletter's zone: "08:59" (en-GB), "8:59 AM" (en-US). */
export function formatStoryTime(published: string, timezone: string, locale: string): string {
  const key = `${locale}\0${timezone}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...DateTime.TIME_SIMPLE, timeZone: timezone });
    timeFormats.set(key, format);
  }
  const instant = new Date(published);
  return Number.isNaN(instant.getTime()) ? '' : format.format(instant);
}
