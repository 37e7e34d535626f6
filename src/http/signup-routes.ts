import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { App } from '../wiring.js';
import type { NewsletterConfig } from '../config/schema.js';
import { BriefError } from '../errors.js';
import { t } from '../i18n/index.js';
import { makeToken } from '../delivery/tokens.js';
import { listLabels } from '../signup/signup-types.js';
import { describeError, logError } from './http-error.js';
import { pageHeaders } from './security-headers.js';
import { pageText, type PageText } from './page-language.js';
import { HONEYPOT_FIELD, signupFormHtml } from './signup-form.js';
import {
  confirmAskPage,
  confirmedPage,
  confirmProblemPage,
  errorPage,
  signupAcceptedPage,
  signupAnswer,
  signupPage,
  signupRefusedPage,
} from './subscriber-pages.js';

type NewsletterRequest = FastifyRequest<{ Params: { newsletter: string }; Body: unknown }>;
type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: unknown }>;

function str(body: unknown, name: string): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

/** `list` as a form sends it (one value, or repeated) or as JSON (`list` or `lists`, a string or an array). */
function listsOf(body: unknown): string[] | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const v = b.lists ?? b.list;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** Whether the request asked for JSON (a fetch from an embedding page) rather than a page. */
function wantsJson(req: FastifyRequest): boolean {
  return /json/i.test(req.headers['content-type'] ?? '') || /^application\/json/i.test(req.headers.accept ?? '');
}

/**
 * The signup form (`/subscribe/NEWSLETTER`) and its double opt-in (`/confirm/TOKEN`).
 *
 * Other sites may embed the form (`brief form`) or post to it with fetch only when their
 * origin is in the newsletter's `signup.allowedOrigins`: a POST carrying any other Origin is
 * refused with 403, and CORS headers are sent only to allowed origins.
 */
export async function signupRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  await f.register(formbody);
  const ownOrigin = new URL(app.env.publicUrl).origin;

  const newsletterOf = (id: string): NewsletterConfig => {
    const n = app.config.newsletters.find((x) => x.id === id);
    if (!n) throw new BriefError('ENOTFOUND', 'no such newsletter');
    return n;
  };
  const words = (n: NewsletterConfig): PageText => pageText(app.config, { newsletter: n.id });

  f.setErrorHandler((err, req, reply) => {
    const a = describeError(err);
    logError(req, err, a);
    reply.code(a.status).headers(a.headers ?? {}).header('cache-control', 'no-store');
    if (wantsJson(req)) return reply.type('application/json; charset=utf-8').send({ error: { code: a.code, message: a.message } });
    const p = pageText(app.config, { acceptLanguage: req.headers['accept-language'] });
    return pageHeaders(reply).send(errorPage(a, p));
  });
  f.addHook('onRequest', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  /** The request's Origin when it is another site's; undefined for same-origin and no Origin. */
  const foreignOrigin = (req: FastifyRequest): string | undefined => {
    const origin = req.headers.origin;
    // Our pages send Referrer-Policy: no-referrer, under which browsers post the hosted form
    // with `Origin: null`; Sec-Fetch-Site still says it came from this origin.
    if (req.headers['sec-fetch-site'] === 'same-origin') return undefined;
    if (!origin) return undefined;
    if (origin === 'null') return 'null';
    if (origin === ownOrigin || origin === `${req.protocol}://${req.headers.host ?? ''}`) return undefined;
    return origin;
  };
  const allowed = (n: NewsletterConfig, origin: string) => n.signup.allowedOrigins.includes(origin);
  const cors = (reply: FastifyReply, origin: string) =>
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');

  const hostedForm = (n: NewsletterConfig, values?: { email?: string; name?: string; lists?: string[] }) =>
    signupFormHtml(n, { action: encodeURIComponent(n.id), hide: 'class', idPrefix: 'signup', values });

  f.get('/subscribe/:newsletter', async (req: NewsletterRequest, reply) => {
    const n = newsletterOf(req.params.newsletter);
    return pageHeaders(reply).send(signupPage({ title: n.title, form: hostedForm(n) }, words(n)));
  });

  f.options('/subscribe/:newsletter', async (req: NewsletterRequest, reply) => {
    const n = newsletterOf(req.params.newsletter);
    const origin = foreignOrigin(req);
    if (!origin || !allowed(n, origin)) return reply.code(403).send();
    return cors(reply.code(204), origin)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send();
  });

  f.post('/subscribe/:newsletter', async (req: NewsletterRequest, reply) => {
    const n = newsletterOf(req.params.newsletter);
    const p = words(n);
    const json = wantsJson(req);
    const origin = foreignOrigin(req);
    if (origin) {
      if (!allowed(n, origin)) {
        const text = t(p.s, 'page.signup.refusedOrigin');
        req.log.info({ newsletter: n.id, origin }, 'signup refused: origin not in signup.allowedOrigins');
        if (json) return reply.code(403).send({ error: { code: 'EAUTH', message: text } });
        return pageHeaders(reply.code(403)).send(signupRefusedPage(text, p));
      }
      cors(reply, origin);
    }
    const body = req.body;
    const email = (str(body, 'email') ?? '').trim();
    const name = str(body, 'name');
    const lists = listsOf(body);
    const refuse = (text: string) => {
      if (json) return reply.code(400).send({ error: { code: 'EINPUT', message: text } });
      return pageHeaders(reply.code(400)).send(signupPage({ title: n.title, form: hostedForm(n, { email, name, lists }), error: text }, p));
    };
    let outcome: string;
    try {
      if (str(body, HONEYPOT_FIELD)) {
        // A bot: counted against its client's limit, answered as a person would be, nothing done.
        await app.signup.throttle(req.ip, null);
        outcome = 'honeypot';
      } else {
        outcome = await app.signup.signup(n.id, {
          email,
          name,
          lists,
          client: req.ip,
          userAgent: req.headers['user-agent'],
          wording: str(body, 'wording'),
        });
      }
    } catch (err) {
      if (err instanceof BriefError && err.code === 'EINPUT') {
        return refuse(err.message.startsWith('email') ? t(p.s, 'page.signup.badEmail') : t(p.s, 'page.signup.noList'));
      }
      const a = describeError(err);
      if (a.status === 429) {
        const minutes = Math.max(1, Math.ceil(Number(a.headers?.['retry-after'] ?? 60) / 60));
        const text = t(p.s, 'page.signup.tooMany', { minutes });
        reply.code(429).headers(a.headers ?? {});
        if (json) return reply.send({ error: { code: a.code, message: text } });
        return pageHeaders(reply).send(signupRefusedPage(text, p));
      }
      throw err;
    }
    req.log.debug({ newsletter: n.id, outcome }, 'signup');
    // The same answer (status and body) whatever happened behind it.
    const shown = email.toLowerCase();
    if (json) return reply.code(200).send({ ok: true, message: signupAnswer({ title: n.title, email: shown, doubleOptIn: n.signup.doubleOptIn }, p).text });
    return pageHeaders(reply.code(200)).send(signupAcceptedPage({ title: n.title, email: shown, doubleOptIn: n.signup.doubleOptIn }, p));
  });

  const STATUS = { bad: 400, expired: 410, used: 409 } as const;
  const problem = (reply: FastifyReply, state: 'bad' | 'expired' | 'used', req: FastifyRequest, newsletter?: string) => {
    const p = newsletter ? pageText(app.config, { newsletter }) : pageText(app.config, { acceptLanguage: req.headers['accept-language'] });
    return pageHeaders(reply.code(STATUS[state])).send(confirmProblemPage(state, p));
  };

  const askPage = async (req: TokenRequest, reply: FastifyReply) => {
    const c = await app.signup.check(req.params.token);
    if (c.state !== 'ok') return problem(reply, c.state, req);
    const n = newsletterOf(c.offer.newsletter);
    return pageHeaders(reply).send(confirmAskPage({ email: c.offer.email, label: listLabels(n, c.offer.lists) }, words(n)));
  };

  // GET never changes anything: mail scanners and link previews follow every link.
  f.get('/confirm/:token', askPage);

  f.post('/confirm/:token', async (req: TokenRequest, reply) => {
    if (str(req.body, 'confirm') !== 'yes') return askPage(req, reply);
    const r = await app.signup.confirm(req.params.token);
    if (r.state !== 'confirmed') return problem(reply, r.state, req);
    const n = newsletterOf(r.offer.newsletter);
    const prefs = makeToken(await app.secret(), { action: 'preferences', list: r.lists[0] ?? n.lists[0]!, email: r.offer.email, edition: '' });
    return pageHeaders(reply).send(
      confirmedPage({ email: r.offer.email, label: listLabels(n, r.lists), prefsHref: `../p/${prefs}` }, words(n)),
    );
  });
}
