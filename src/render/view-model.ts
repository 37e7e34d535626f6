import type { Article } from '../articles/types.js';
import type { NewsletterConfig } from '../config/schema.js';
import type { EditionContent } from '../edition/types.js';
import { stringsFor, type Strings } from '../i18n/index.js';
import { formatEditionDate, formatStoryTime } from './format-date.js';
import { formatSubject } from './format-subject.js';
import { neutraliseText, neutraliseUrl } from './placeholders.js';
import type { VariantName } from './types.js';

/**
 * What templates see. Every optional value is present as `null` rather than missing, because
 * templates compile in Handlebars strict mode: a misspelt `{{titel}}` fails the render with
 * the file's name instead of silently printing nothing.
 */
export interface StoryView {
  title: string;
  /** Absolute http(s); templates still pass it through `safeUrl`. */
  url: string;
  summary: string;
  author: string | null;
  /** Publication time of day in the newsletter's zone and locale, e.g. "08:59". */
  time: string;
  membersOnly: boolean;
  imageUrl: string | null;
  imageCaption: string | null;
  /**
   * The feed's alt text when it says more than the headline beside the image, else empty:
   * the headline is read out right after, so repeating it as alt text says it twice.
   */
  imageAlt: string;
  /** The image's box in the email (px), from the feed's size scaled to the column; null when unknown. */
  imageBox: { width: number; height: number } | null;
}

/** The lead image spans the 600 px column less mj-image's 25 px padding on each side. */
export const LEAD_IMAGE_WIDTH = 550;

export interface SectionView {
  title: string;
  stories: StoryView[];
}

export interface TemplateData {
  /** BCP 47 locale for `<html lang>`. */
  lang: string;
  /** The fixed words in the newsletter's language, read by the `{{t "key"}}` helper. */
  strings: Strings;
  /** The newsletter's title. */
  title: string;
  /** The edition date, long and local: "Friday, 5 September 2025". */
  date: string;
  subject: string;
  preheader: string;
  variant: VariantName;
  isMember: boolean;
  /** Public page of this edition in the web archive: safe to share, unlike the personal view link. */
  archiveUrl: string;
  lead: StoryView;
  picks: StoryView[];
  sections: SectionView[];
  membership: { text: string; url: string; button: string } | null;
  postalAddress: string | null;
  /** The editor's intro note (plain text; `{{linkify note}}` in HTML), shown instead of the greeting. */
  note: string | null;
}

/** The parts of the data that are the same for every variant, computed once per edition. */
export interface EditionView {
  lang: string;
  strings: Strings;
  title: string;
  date: string;
  subject: string;
  preheader: string;
  archiveUrl: string;
  lead: StoryView;
  picks: StoryView[];
  sections: SectionView[];
  membership: TemplateData['membership'];
  postalAddress: string | null;
  note: string | null;
}

const optionalText = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t ? neutraliseText(t) : null;
};

function storyView(a: Article, timezone: string, locale: string): StoryView {
  return {
    title: neutraliseText(a.title),
    url: neutraliseUrl(a.url),
    summary: neutraliseText(a.summary),
    author: optionalText(a.author),
    time: formatStoryTime(a.published, timezone, locale),
    membersOnly: a.membersOnly,
    imageUrl: a.imageUrl ? neutraliseUrl(a.imageUrl) : null,
    imageCaption: optionalText(a.imageCaption),
    imageAlt: a.imageAlt && a.imageAlt.trim().toLowerCase() !== a.title.trim().toLowerCase() ? neutraliseText(a.imageAlt) : '',
    imageBox: a.imageWidth && a.imageHeight ? scaleToColumn(a.imageWidth, a.imageHeight) : null,
  };
}

export function buildEditionView(
  newsletter: NewsletterConfig,
  content: EditionContent,
  archiveUrl: string,
  onWarn?: (msg: string) => void,
): EditionView {
  // The window carries the zone the edition was cut in (the newsletter's).
  const timezone = content.window.timezone;
  const locale = newsletter.locale;
  const title = neutraliseText(newsletter.title);
  const date = formatEditionDate(content.window.date, timezone, locale);
  const lead = storyView(content.lead, timezone, locale);
  const m = newsletter.membership;
  return {
    lang: locale,
    strings: stringsFor(locale, newsletter.strings, onWarn),
    title,
    date,
    subject: neutraliseText(formatSubject(newsletter.subject, { title: newsletter.title, date })),
    preheader: neutraliseText(newsletter.preheader?.trim() || content.lead.title),
    archiveUrl: neutraliseUrl(archiveUrl),
    lead,
    picks: content.picks.map((a) => storyView(a, timezone, locale)),
    sections: content.sections.map((s) => ({
      title: neutraliseText(s.title),
      stories: s.articles.map((a) => storyView(a, timezone, locale)),
    })),
    membership: m
      ? { text: neutraliseText(m.text), url: neutraliseUrl(m.url), button: neutraliseText(m.button) }
      : null,
    postalAddress: optionalText(newsletter.postalAddress),
    note: optionalText(content.note ?? undefined),
  };
}

export function templateData(edition: EditionView, variant: VariantName): TemplateData {
  return { ...edition, variant, isMember: variant === 'member' };
}

/** The box an image of w × h pixels takes in the lead column: never wider than the column, never upscaled. */
export function scaleToColumn(w: number, h: number): { width: number; height: number } {
  const width = Math.min(w, LEAD_IMAGE_WIDTH);
  return { width, height: Math.max(1, Math.round((h * width) / w)) };
}
