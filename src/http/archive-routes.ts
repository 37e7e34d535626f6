import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../wiring.js';
import type { NewsletterConfig } from '../config/schema.js';
import { BriefError, quote } from '../errors.js';
import { editionId } from '../edition/index.js';
import type { EditionState, EditionStatus } from '../delivery/edition-store.js';
import { renderArchivePage, formatEditionDate } from '../render/index.js';
import { archiveUrl } from '../compile-edition.js';
import { describeError, logError } from './http-error.js';
import { ARCHIVE_CSP, pageHeaders } from './security-headers.js';
import { errorPage } from './subscriber-pages.js';
import { h, renderPage } from './page.js';
import { pageText } from './page-language.js';
import { t } from '../i18n/index.js';

/**
 * States whose edition is in someone's inbox, so its "view in browser" link must work. A
 * paused send is half delivered; a cancelled one is kept out (it was stopped for a reason).
 */
const PUBLISHED: ReadonlySet<EditionState> = new Set(['sent', 'sending', 'paused']);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function findNewsletter(app: App, id: string): NewsletterConfig {
  const n = app.config.newsletters.find((x) => x.id === id);
  if (!n) throw new BriefError('ENOTFOUND', `no newsletter ${quote(id)}`);
  return n;
}

async function published(app: App, newsletter: string): Promise<EditionStatus[]> {
  const ids = await app.editions.ids(newsletter, 366);
  const all = await Promise.all(ids.map((id) => app.editions.get(id)));
  return all.filter((s): s is EditionStatus => s !== null && PUBLISHED.has(s.state));
}

/**
 * The web archive. It shows the frozen public variant with every personal placeholder filled
 * by neutral values, so no page here carries an address or a working personal link.
 */
export async function archiveRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  f.setErrorHandler((err, req, reply) => {
    const a = describeError(err);
    logError(req, err, a);
    return pageHeaders(reply.code(a.status))
      .header('cache-control', 'no-store')
      .send(errorPage(a, pageText(app.config, { acceptLanguage: req.headers['accept-language'] })));
  });

  f.get('/archive', async (req, reply) => {
    const words = pageText(app.config, { acceptLanguage: req.headers['accept-language'] });
    const items = app.config.newsletters
      .map((n) => `<li><a href="archive/${encodeURIComponent(n.id)}">${h(n.title)}</a></li>`)
      .join('\n');
    return pageHeaders(reply).send(
      renderPage({
        lang: words.lang,
        title: t(words.s, 'page.archive.title'),
        noindex: false,
        body: `<h1>${h(t(words.s, 'page.archive.title'))}</h1><ul class="lists">${items}</ul>`,
      }),
    );
  });

  f.get('/archive/:newsletter', async (req: FastifyRequest<{ Params: { newsletter: string } }>, reply) => {
    const n = findNewsletter(app, req.params.newsletter);
    const words = pageText(app.config, { newsletter: n.id });
    const editions = await published(app, n.id);
    const items = editions
      .map(
        (s) =>
          `<li><a href="${h(encodeURIComponent(n.id))}/${h(s.date)}">${h(formatEditionDate(s.date, n.timezone, n.locale))}</a>` +
          `${s.subject ? `<br><span class="muted">${h(s.subject)}</span>` : ''}</li>`,
      )
      .join('\n');
    const body = `<h1>${h(n.title)}</h1>
${editions.length ? `<ul class="lists">\n${items}\n</ul>` : `<p>${h(t(words.s, 'page.archive.empty'))}</p>`}`;
    // Relative links resolve against /archive/, so the page works behind a path prefix too.
    return pageHeaders(reply)
      .header('cache-control', 'public, max-age=60')
      .send(renderPage({ lang: words.lang, title: t(words.s, 'page.archive.newsletterTitle', { title: n.title }), noindex: false, body }));
  });

  f.get(
    '/archive/:newsletter/:date',
    async (req: FastifyRequest<{ Params: { newsletter: string; date: string } }>, reply) => {
      const n = findNewsletter(app, req.params.newsletter);
      const { date } = req.params;
      const notFound = () => new BriefError('ENOTFOUND', `no edition of ${n.id} was sent on ${date}`);
      if (!DATE.test(date)) throw notFound();
      let id: string;
      try {
        id = editionId(n.id, date);
      } catch {
        throw notFound();
      }
      const status = await app.editions.get(id);
      if (!status || !PUBLISHED.has(status.state)) throw notFound();
      const content = await app.editions.content(id);
      if (!content) throw notFound();
      const html = renderArchivePage(content, {
        archiveUrl: archiveUrl(app.env.publicUrl, n.id, date),
        unsubscribeUrl: `${app.env.publicUrl}/unsubscribe`,
      });
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', ARCHIVE_CSP)
        .header('cache-control', 'public, max-age=300')
        .send(html);
    },
  );
}
