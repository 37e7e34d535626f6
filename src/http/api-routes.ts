import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../wiring.js';
import { BriefError } from '../errors.js';
import { getNewsletter } from '../config/load.js';
import { nextEditionDate, parseEditionId } from '../edition/index.js';
import { archiveUrl, compileEdition } from '../compile-edition.js';
import { personalise } from '../render/index.js';
import { normaliseAddress } from '../subscribers/index.js';
import { FieldError, jsonErrorHandler, type FieldHints } from './http-error.js';
import { requireApiPrincipal } from './api-auth.js';
import type { AuditAction } from '../audit/index.js';
import { ARCHIVE_CSP } from './security-headers.js';
import { curationDetail, curationJson, type CurationChange } from '../delivery/curation-store.js';
import { MAX_NOTE_CHARS } from '../edition/index.js';


const NEWSLETTER_ID = '^[a-z0-9][a-z0-9_-]{0,62}$';
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

/** The words of a 400 for each field, instead of ajv's "must match pattern …". */
const HINTS: FieldHints = {
  newsletter: 'must be a newsletter id from the config (lower-case letters, digits, "-" or "_")',
  date: 'must be a date, YYYY-MM-DD',
  to: 'must be a list of 1 to 20 email addresses',
  id: 'must be an edition id, NEWSLETTER-YYYY-MM-DD',
  address: 'must be an email address',
};

const editionIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 80 } },
} as const;

/** Feeds may be remote: compiling an edition can take longer than the default handler timeout. */
const COMPILE_TIMEOUT_MS = 120_000;

/** Re-raises a service error about one input with that field named. */
function about<T>(field: string, fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof BriefError && ['EINPUT', 'EDATE', 'ENOTFOUND'].includes(err.code)) throw new FieldError(field, err);
    throw err;
  });
}

function newsletterOf(app: App, id: string) {
  try {
    return getNewsletter(app.config, id);
  } catch (err) {
    throw err instanceof BriefError ? new FieldError('newsletter', err) : err;
  }
}

function editionOf(id: string): { newsletter: string; date: string } {
  try {
    return parseEditionId(id);
  } catch (err) {
    throw err instanceof BriefError ? new FieldError('id', err) : err;
  }
}

/**
 * The editor API, under /api: JSON in and out, `Authorization: Bearer BRIEF_ADMIN_TOKEN`.
 * No CORS headers: it is called by scripts and tools, never by pages of another origin.
 */
export async function apiRoutes(f: FastifyInstance, opts: { app: App }): Promise<void> {
  const { app } = opts;
  f.setErrorHandler(jsonErrorHandler(HINTS));
  // Who asks and whether their role may (viewer: GET; editor: the rest; admin: config.role).
  f.addHook(
    'onRequest',
    requireApiPrincipal({
      adminToken: app.env.adminToken, redis: app.redis, keys: app.keys, users: app.users,
      onFailure: async (req, who) => void (await app.audit.record({ actor: who, action: 'login-failed', detail: 'API', ip: req.ip })),
    }),
  );
  const audit = (req: FastifyRequest, action: AuditAction, target: string, detail?: string) =>
    app.audit.record({ actor: req.principal?.name ?? 'token', action, target, detail: detail ? `${detail} (API)` : 'API', ip: req.ip });
  f.addHook('onRequest', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  f.post(
    '/editions',
    {
      schema: {
        body: {
          type: 'object',
          required: ['newsletter', 'date'],
          properties: {
            newsletter: { type: 'string', pattern: NEWSLETTER_ID },
            date: { type: 'string', pattern: DATE },
          },
        },
      },
    },
    async (req: FastifyRequest<{ Body: { newsletter: string; date: string } }>, reply) => {
      const n = newsletterOf(app, req.body.newsletter);
      const { status } = await about('date', () => app.service.request(n.id, req.body.date));
      req.log.info({ editionId: status.id, state: status.state }, 'edition requested over the API');
      await audit(req, 'send', status.id, status.state);
      return reply.code(202).header('location', `/api/editions/${encodeURIComponent(status.id)}`).send(status);
    },
  );

  f.get(
    '/editions',
    {
      schema: {
        // An empty `?newsletter=` (a form left blank) means every newsletter.
        querystring: { type: 'object', properties: { newsletter: { type: 'string', pattern: `^$|${NEWSLETTER_ID}` } } },
      },
    },
    async (req: FastifyRequest<{ Querystring: { newsletter?: string } }>) => {
      const newsletter = req.query.newsletter || undefined;
      if (newsletter !== undefined) newsletterOf(app, newsletter);
      return { editions: await app.service.list(newsletter) };
    },
  );

  f.get('/editions/:id', { schema: { params: editionIdParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) =>
    app.service.status(req.params.id),
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    f.post(`/editions/:id/${action}`, { schema: { params: editionIdParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const status = await app.service[action](req.params.id);
      req.log.info({ editionId: status.id, state: status.state }, `edition ${action} over the API`);
      await audit(req, action, status.id, `now ${status.state}`);
      return status;
    });
  }

  // Hold and release work on any upcoming edition; approve on one awaiting approval. Each
  // is one place for the role check and the audit record once accounts exist.
  for (const action of ['hold', 'release'] as const) {
    f.post(`/editions/:id/${action}`, { schema: { params: editionIdParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
      editionOf(req.params.id);
      const status = await about('id', () => app.service[action](req.params.id));
      req.log.info({ editionId: status.id, state: status.state }, `edition ${action} over the API`);
      await audit(req, action, status.id, `now ${status.state}`);
      return status;
    });
  }

  f.post('/editions/:id/approve', { handlerTimeout: COMPILE_TIMEOUT_MS, schema: { params: editionIdParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const status = await app.service.approve(req.params.id, req.principal?.name ?? 'token');
    req.log.info({ editionId: status.id, state: status.state }, 'edition approved over the API');
    await audit(req, 'approve', status.id, `now ${status.state}`);
    return status;
  });

  f.get('/editions/:id/curation', { handlerTimeout: COMPILE_TIMEOUT_MS, schema: { params: editionIdParams } }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    editionOf(req.params.id);
    const compiled = await about('id', () => app.service.compileFor(req.params.id));
    return curationJson(compiled);
  });

  const ids = { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 2000 } } as const;
  f.post(
    '/editions/:id/curation',
    {
      handlerTimeout: COMPILE_TIMEOUT_MS,
      schema: {
        params: editionIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            exclude: ids,
            include: ids,
            pick: ids,
            unpick: ids,
            lead: { type: ['string', 'null'], maxLength: 2000 },
            note: { type: ['string', 'null'], maxLength: MAX_NOTE_CHARS },
            order: {
              type: 'object',
              required: ['section', 'ids'],
              additionalProperties: false,
              properties: { section: { type: 'string', minLength: 1, maxLength: 200 }, ids },
            },
          },
        },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Body: CurationChange }>) => {
      editionOf(req.params.id);
      const compiled = await about('id', () => app.service.curate(req.params.id, req.body));
      req.log.info({ editionId: compiled.editionId }, 'edition curated over the API');
      await audit(req, 'curate', compiled.editionId, curationDetail(req.body));
      return curationJson(compiled);
    },
  );

  f.post(
    '/editions/:id/test',
    {
      handlerTimeout: COMPILE_TIMEOUT_MS,
      schema: {
        params: editionIdParams,
        body: {
          type: 'object',
          required: ['to'],
          properties: { to: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 3, maxLength: 254 } } },
        },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Body: { to: string[] } }>) => {
      const { newsletter, date } = editionOf(req.params.id);
      newsletterOf(app, newsletter);
      req.body.to.forEach((raw, i) => {
        if (!normaliseAddress(raw)) throw new FieldError(`to[${i}]`, new BriefError('EINPUT', `${JSON.stringify(raw)} is not an email address`));
      });
      const secret = await app.secret();
      const sent = await about('id', () => app.service.testSend(newsletter, date, req.body.to, { transport: app.transport(), secret }));
      req.log.info({ editionId: req.params.id, recipients: sent.length }, 'test send over the API');
      await audit(req, 'test-send', req.params.id, await app.subscribers.auditNames(req.body.to));
      return { sent };
    },
  );

  const addressParams = {
    type: 'object',
    required: ['address'],
    properties: { address: { type: 'string', minLength: 3, maxLength: 254 } },
  } as const;

  /**
   * Adds an address to a list for a tool that holds the reader's consent (a CRM, a
   * paywall): recorded as consent source `api`. Like an import, it never re-activates an
   * unsubscribed, bounced, suppressed or forgotten address.
   */
  f.post(
    '/subscribers',
    {
      config: { role: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['list', 'email'],
          additionalProperties: false,
          properties: {
            list: { type: 'string', pattern: NEWSLETTER_ID },
            email: { type: 'string', minLength: 3, maxLength: 254 },
            name: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (req: FastifyRequest<{ Body: { list: string; email: string; name?: string } }>) => {
      const { list, name } = req.body;
      if (!app.config.newsletters.some((n) => n.lists.includes(list))) {
        throw new FieldError('list', new BriefError('ENOTFOUND', `no newsletter sends to list ${JSON.stringify(list)}`));
      }
      const email = normaliseAddress(req.body.email);
      if (!email) throw new FieldError('email', new BriefError('EINPUT', 'not a valid email address'));
      const result = await app.subscribers.add(list, email, { name });
      if (result === 'added' || result === 'updated') {
        await app.consent.putMany(list, [email], { source: 'api', at: new Date().toISOString() }, { keepExisting: result === 'updated' });
      }
      req.log.info({ list, result }, 'subscriber added over the API');
      await audit(req, 'subscriber-add', list, result);
      return { list, email, result };
    },
  );

  /** Everything stored about an address (a reader's access request): an editor's, not a viewer's. */
  f.get('/subscribers/:address', { config: { role: 'editor' }, schema: { params: addressParams } }, async (req: FastifyRequest<{ Params: { address: string } }>) =>
    about('address', () => app.dataRequests.show(req.params.address)),
  );

  /** Erases an address everywhere, keeping a keyed hash so that an import cannot re-add it. */
  f.post('/subscribers/:address/forget', { config: { role: 'admin' }, schema: { params: addressParams } }, async (req: FastifyRequest<{ Params: { address: string } }>) => {
    const r = await about('address', () => app.dataRequests.forget(req.params.address));
    req.log.info({ removed: r.removed }, 'address forgotten over the API');
    await audit(req, 'forget', 'an address', `${r.removed} records`);
    return r;
  });

  f.get(
    '/newsletters/:id/preview',
    {
      handlerTimeout: COMPILE_TIMEOUT_MS,
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', properties: { date: { type: 'string', pattern: DATE } } },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Querystring: { date?: string } }>, reply) => {
      const n = newsletterOf(app, req.params.id);
      const date = req.query.date ?? nextEditionDate(n.schedule, n.timezone, new Date());
      const compiled = await about('date', () =>
        compileEdition(app.config, n, date, { redis: app.redis, keys: app.keys, publicUrl: app.env.publicUrl, engine: app.compileEngine }),
      );
      // The same sample reader as `brief preview`, so both show the same page.
      const { html } = personalise(compiled.rendered.variants.public, {
        name: 'Reader',
        email: 'reader@example.org',
        unsubscribeUrl: `${app.env.publicUrl}/u/preview`,
        preferencesUrl: `${app.env.publicUrl}/p/preview`,
        viewInBrowserUrl: archiveUrl(app.env.publicUrl, n.id, date),
      });
      return reply.type('text/html; charset=utf-8').header('content-security-policy', ARCHIVE_CSP).send(html);
    },
  );
}
