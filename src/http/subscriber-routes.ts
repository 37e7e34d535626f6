import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { App } from '../wiring.js';
import { BriefError } from '../errors.js';
import { describeError, logError } from './http-error.js';
import { pageHeaders, NONE_CSP } from './security-headers.js';
import {
  badLinkPage,
  confirmUnsubscribePage,
  errorPage,
  genericUnsubscribePage,
  oneClickText,
  preferencesNotice,
  preferencesPage,
  unsubscribedPage,
} from './subscriber-pages.js';
import { pageText } from './page-language.js';
import {
  join,
  leave,
  leaveNewsletter,
  listLabel,
  membership,
  newsletterLists,
  preferencesToken,
  readToken,
  relatedLists,
} from './subscriptions.js';
import type { TokenPayload } from '../delivery/tokens.js';

type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: unknown }>;

/**
 * RFC 8058 says the one-click POST carries `List-Unsubscribe=One-Click`, form-encoded or as
 * multipart/form-data. Bodies of any other type are kept as text (see the catch-all parser).
 */
export function isOneClick(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const b = body as Record<string, unknown>;
  const v = b['List-Unsubscribe'];
  if (v === 'One-Click' || (Array.isArray(v) && v.includes('One-Click'))) return true;
  const raw = b[RAW];
  return typeof raw === 'string' && /List-Unsubscribe"?\s*(=|\r?\n\r?\n)\s*One-Click/i.test(raw);
}

/** Where a body the form parser does not handle is kept, as text. */
const RAW = '\u0000raw';

function field(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * GET never changes anything: mail scanners and link previews follow every link in a
 * message. Only a POST (a person's click, or a mail client's RFC 8058 one-click) does.
 */
export async function subscriberRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  await f.register(formbody);
  // Mail clients are not all careful about the content type of a one-click POST; reading any
  // other body as text (within bodyLimit) keeps them working. Only in this plugin's scope:
  // the API still refuses what is not JSON.
  f.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, { [RAW]: body }));

  f.setErrorHandler((err, req, reply) => {
    const a = describeError(err);
    logError(req, err, a);
    const words = pageText(app.config, { acceptLanguage: req.headers['accept-language'] });
    return pageHeaders(reply.code(a.status)).headers(a.headers ?? {}).header('cache-control', 'no-store').send(errorPage(a, words));
  });

  // Token pages are personal: never cached by a browser or a proxy, never indexed.
  f.addHook('onRequest', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  /** The confirm page: asks before anything changes (GET, or a POST that is neither one-click nor the form). */
  const confirmPage = async (req: TokenRequest, reply: FastifyReply, p: TokenPayload) => {
    const n = newsletterLists(app.config, p);
    const statuses = await Promise.all(n.lists.map((l) => app.subscribers.get(l, p.email).then((s) => s?.status ?? null)));
    const status = statuses.includes('active') ? 'active' : (statuses.find((s) => s !== null) ?? null);
    const prefsHref = `../p/${await preferencesToken(app, p)}`;
    return pageHeaders(reply).send(
      confirmUnsubscribePage({ email: p.email, label: n.title, status, prefsHref }, pageText(app.config, { list: p.list })),
    );
  };

  f.get('/u/:token', async (req: TokenRequest, reply) => confirmPage(req, reply, await readToken(app, req.params.token, 'unsubscribe')));

  f.post('/u/:token', async (req: TokenRequest, reply: FastifyReply) => {
    const oneClick = isOneClick(req.body);
    let p;
    try {
      p = await readToken(app, req.params.token, 'unsubscribe');
    } catch (err) {
      if (!(err instanceof BriefError && err.code === 'ETOKEN')) throw err;
      logError(req, err, describeError(err));
      if (oneClick) return reply.code(400).type('text/plain; charset=utf-8').send('This unsubscribe link is not valid.\n');
      return pageHeaders(reply.code(400)).send(badLinkPage(pageText(app.config, { acceptLanguage: req.headers['accept-language'] })));
    }
    // Only the RFC 8058 body or the confirm page's own form field unsubscribes: any other
    // POST (a scanner, an empty body, text/plain) gets the confirm page and changes nothing.
    if (!oneClick && field(req.body, 'confirm') !== 'yes') return confirmPage(req, reply, p);
    const done = await leaveNewsletter(app, p, req.log);
    if (oneClick) {
      return reply.type('text/plain; charset=utf-8').header('content-security-policy', NONE_CSP).send(oneClickText(done.outcome, done.left));
    }
    const prefsHref = `../p/${await preferencesToken(app, p)}`;
    return pageHeaders(reply).send(
      unsubscribedPage({ email: p.email, label: done.title, outcome: done.outcome, left: done.left, prefsHref }, pageText(app.config, { list: p.list })),
    );
  });

  f.get('/p/:token', async (req: TokenRequest, reply) => {
    const p = await readToken(app, req.params.token, 'preferences');
    return pageHeaders(reply).send(preferencesPage({ email: p.email, ...(await membership(app, p)) }, pageText(app.config, { list: p.list })));
  });

  f.post('/p/:token', async (req: TokenRequest, reply) => {
    const p = await readToken(app, req.params.token, 'preferences');
    const list = field(req.body, 'list');
    const action = field(req.body, 'action');
    if (!list || !relatedLists(app.config, p.list).includes(list)) {
      throw new BriefError('EINPUT', 'list: not one of the lists this link manages');
    }
    if (action !== 'leave' && action !== 'join') throw new BriefError('EINPUT', 'action: must be "leave" or "join"');
    const label = listLabel(app.config, list);
    const outcome = action === 'leave' ? await leave(app, { ...p, list }, req.log) : await join(app, list, p.email, req.log);
    const words = pageText(app.config, { list: p.list });
    const notice = preferencesNotice(action, outcome, label, words);
    return pageHeaders(reply.code(outcome === 'refused' ? 409 : 200)).send(
      preferencesPage({ email: p.email, ...(await membership(app, p)), notice }, words),
    );
  });

  f.get('/unsubscribe', async (req, reply) =>
    pageHeaders(reply).send(genericUnsubscribePage(pageText(app.config, { acceptLanguage: req.headers['accept-language'] }))),
  );
}
