import type { Article } from '../src/articles/types.js';
import type { NewsletterConfig } from '../src/config/schema.js';
import type { EditionContent } from '../src/edition/types.js';

/** A newsletter as the config loader returns it (defaults applied). */
export const newsletter: NewsletterConfig = {
  id: 'daily',
  title: 'The Caucasus Daily Brief',
  from: 'The Caucasus Daily Brief <brief@example.org>',
  timezone: 'Asia/Tbilisi',
  locale: 'en-GB',
  schedule: '0 8 * * 1-5',
  lists: ['daily'],
  sources: [{ type: 'rss', url: './feeds/main.xml', shiftToWindow: false, required: false }],
  sections: [
    { title: 'Georgia', tags: ['Georgia'] },
    { title: 'Armenia', tags: ['Armenia'] },
    { title: 'Azerbaijan', tags: ['Azerbaijan'] },
  ],
  template: 'daily-brief',
  subject: '{title} — {date}',
  catchAllTitle: 'More news',
  featuredTag: 'featured',
  picksTag: 'editors-pick',
  membersOnlyTag: 'members-only',
  maxArticles: 30,
  membership: {
    text: 'Independent journalism from the South Caucasus depends on readers like you. Members get every story, the weekly long read and our archive.',
    url: 'https://example.org/membership?utm_source=brief&utm_medium=email',
    button: 'Become a member',
  },
  postalAddress: 'The Caucasus Daily Brief\n12 Rustaveli Avenue\n0108 Tbilisi, Georgia',
  signup: { doubleOptIn: true, allowedOrigins: [], storeIp: 'hash' },
  approval: 'none',
  approvalLeadMinutes: 60,
  approvers: [],
};

/** Place and the section it belongs to; "Brussels" lands in the catch-all. */
const PLACES: [string, string][] = [
  ['Tbilisi', 'Georgia'], ['Yerevan', 'Armenia'], ['Baku', 'Azerbaijan'], ['Brussels', 'More news'],
  ['Batumi', 'Georgia'], ['Gyumri', 'Armenia'], ['Ganja', 'Azerbaijan'], ['Kutaisi', 'Georgia'],
];
const TOPICS = ['budget talks', 'border crossing', 'energy prices', 'election commission', 'wine harvest',
  'railway link', 'press freedom', 'water supply', 'tourism season', 'university reform'];
const AUTHORS = ['Nino Beridze', 'Armen Petrosyan', 'Leyla Mammadova', 'Giorgi Kapanadze', 'Ani Hakobyan'];
const SECTIONS = ['Georgia', 'Armenia', 'Azerbaijan', 'More news'];

const SUMMARY =
  'Officials said on Thursday that the plan would be debated again next week after opposition deputies walked out of the session, ' +
  'while analysts warned that the delay could push back the reforms promised to international lenders until well into next year…';

/** A story shaped like a real feed item: ~80-character title, ~280-character summary, long URLs. */
function article(i: number): Article {
  const [place, section] = PLACES[i % PLACES.length] ?? ['Tbilisi', 'Georgia'];
  const topic = TOPICS[i % TOPICS.length] ?? 'news';
  const slug = `${place}-${topic}-${i}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const minute = 30 + ((i * 37) % 1400); // spread over the edition's 24-hour window
  const published = new Date(Date.UTC(2025, 8, 4, 4, 0, 0) + minute * 60_000).toISOString();
  return {
    id: `https://example.org/?p=${10_000 + i}`,
    url: `https://example.org/news/2025/09/04/${slug}/?utm_source=daily-brief&utm_medium=email`,
    title: `In ${place}, ${topic} stall again as ministers and opposition trade blame (${i + 1})`,
    summary: SUMMARY,
    author: i % 4 === 3 ? undefined : AUTHORS[i % AUTHORS.length],
    published,
    tags: [section, ...(i % 7 === 2 ? ['editors-pick'] : [])],
    imageUrl: `https://cdn.example.org/images/2025/09/${slug}-1200x675.jpg`,
    imageCaption: `Protesters gather outside parliament in ${place} on Thursday evening. Photo: Staff photographer`,
    membersOnly: i % 6 === 5,
    source: 'https://example.org/feed/',
  };
}

/** An edition of `n` stories (n ≥ 1): the first is the lead, a few are picks, the rest in 4 sections. */
export function makeEdition(n = 30): EditionContent {
  const articles = Array.from({ length: Math.max(1, n) }, (_, i) => article(i));
  const [lead, ...rest] = articles as [Article, ...Article[]];
  const sections = SECTIONS.map((title) => ({ title, articles: rest.filter((a) => a.tags[0] === title) })).filter(
    (s) => s.articles.length > 0,
  );
  return {
    newsletterId: newsletter.id,
    window: {
      date: '2025-09-05',
      start: '2025-09-04T04:00:00.000Z',
      end: '2025-09-05T04:00:00.000Z',
      timezone: 'Asia/Tbilisi',
    },
    lead,
    picks: rest.filter((a) => a.tags.includes('editors-pick')),
    sections,
    articles,
  };
}

/**
 * Story text in the newsletter's own script, for Georgian (`ka`) and Armenian (`hy`)
 * editions: sizes and encodings of a non-Latin edition are what these are for, so the
 * titles and summaries are as long as the English ones, and the URLs stay ASCII as real
 * ones mostly do.
 */
const SCRIPT_TEXT: Record<'ka' | 'hy', { title: (i: number) => string; summary: string; sections: string[]; authors: string[] }> = {
  ka: {
    title: (i) => `თბილისში ბიუჯეტზე მოლაპარაკება ისევ ჩიხშია: მინისტრები და ოპოზიცია ერთმანეთს ადანაშაულებენ (${i + 1})`,
    summary:
      'ოფიციალურმა პირებმა ხუთშაბათს განაცხადეს, რომ გეგმას მომავალ კვირას ისევ განიხილავენ მას შემდეგ, რაც ოპოზიციის დეპუტატებმა სხდომა დატოვეს; ' +
      'ანალიტიკოსები აფრთხილებენ, რომ შეფერხებამ საერთაშორისო კრედიტორებისთვის დაპირებული რეფორმები მომავალ წლამდე შეიძლება გადადოს…',
    sections: ['საქართველო', 'სომხეთი', 'აზერბაიჯანი', 'სხვა ამბები'],
    authors: ['ნინო ბერიძე', 'არმენ პეტროსიანი', 'ლეილა მამედოვა', 'გიორგი კაპანაძე', 'ანი აკობიანი'],
  },
  hy: {
    title: (i) => `Երևանում բյուջեի շուրջ բանակցությունները կրկին փակուղում են. նախարարներն ու ընդդիմությունը մեղադրում են միմյանց (${i + 1})`,
    summary:
      'Պաշտոնյաները հինգշաբթի հայտարարեցին, որ ծրագիրը կրկին կքննարկվի հաջորդ շաբաթ, երբ ընդդիմադիր պատգամավորները լքեցին նիստը. ' +
      'վերլուծաբանները զգուշացնում են, որ ձգձգումը կարող է միջազգային վարկատուներին խոստացված բարեփոխումները հետաձգել մինչև հաջորդ տարի…',
    sections: ['Վրաստան', 'Հայաստան', 'Ադրբեջան', 'Այլ լուրեր'],
    authors: ['Նինո Բերիձե', 'Արմեն Պետրոսյան', 'Լեյլա Մամեդովա', 'Գեորգի Կապանաձե', 'Անի Հակոբյան'],
  },
};

/** `makeEdition(n)` with every story's words, the sections and the newsletter in Georgian or Armenian. */
export function makeScriptEdition(lang: 'ka' | 'hy', n = 30): { newsletter: NewsletterConfig; content: EditionContent } {
  const words = SCRIPT_TEXT[lang];
  const base = makeEdition(n);
  const sectionOf = new Map(SECTIONS.map((s, i) => [s, words.sections[i] ?? s]));
  const translate = (a: Article, i: number): Article => ({
    ...a,
    title: words.title(i),
    summary: words.summary,
    author: a.author === undefined ? undefined : words.authors[i % words.authors.length],
    tags: a.tags.map((t) => sectionOf.get(t) ?? t),
    imageCaption: words.summary.slice(0, 90),
  });
  const articles = base.articles.map(translate);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const same = (a: Article) => byId.get(a.id) ?? a;
  const content: EditionContent = {
    ...base,
    lead: same(base.lead),
    picks: base.picks.map(same),
    sections: base.sections.map((s) => ({ title: sectionOf.get(s.title) ?? s.title, articles: s.articles.map(same) })),
    articles,
  };
  const title = lang === 'ka' ? 'კავკასიის დღიური მიმოხილვა' : 'Կովկասյան օրվա ամփոփում';
  return {
    newsletter: {
      ...newsletter,
      title,
      from: `${title} <brief@example.org>`,
      locale: lang === 'ka' ? 'ka-GE' : 'hy-AM',
      sections: newsletter.sections.map((s) => ({ title: sectionOf.get(s.title) ?? s.title, tags: [sectionOf.get(s.tags[0]!) ?? s.tags[0]!] })),
      catchAllTitle: words.sections[3]!,
      membership: {
        text: lang === 'ka' ? 'დამოუკიდებელი ჟურნალისტიკა თქვენნაირ მკითხველებზეა დამოკიდებული.' : 'Անկախ լրագրությունը կախված է ձեզ նման ընթերցողներից։',
        url: 'https://example.org/membership',
        button: lang === 'ka' ? 'გახდით წევრი' : 'Դարձեք անդամ',
      },
      postalAddress: lang === 'ka' ? 'რუსთაველის გამზირი 12\n0108 თბილისი' : 'Աբովյան փողոց 12\n0001 Երևան',
    },
    content,
  };
}
