import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BriefError, type ErrorCode } from '../errors.js';
import { redactUrl } from './redact-url.js';

/** The catalogue's codes (src/errors.ts), EAUTH, EDISABLED and EINTERNAL among them. */
export type HttpErrorCode = ErrorCode;

/** An error raised by the HTTP layer itself, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A BriefError about one input field, so the JSON answer can name it. */
export class FieldError extends BriefError {
  constructor(
    readonly field: string,
    err: BriefError,
  ) {
    super(err.code, err.message.startsWith(`${field}:`) ? err.message : `${field}: ${err.message}`, { cause: err });
    this.name = 'FieldError';
  }
}

/**
 * What each code means for a client. Codes not listed are the server's fault (500). EEMPTY
 * is 422: the request was fine, the feeds had nothing for that date.
 */
const STATUS: Partial<Record<ErrorCode, number>> = {
  EINPUT: 400,
  EDATE: 400,
  ETOKEN: 400,
  ECSV: 400,
  ENOTFOUND: 404,
  ESTATE: 409,
  EEMPTY: 422,
  EFEED: 502,
  ESMTP_TEMP: 502,
  ESMTP_PERM: 502,
  EREDIS: 503,
};

export interface ErrorAnswer {
  status: number;
  code: HttpErrorCode;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

/** Friendlier words for a schema failure of a known field than ajv's "must match pattern …". */
export type FieldHints = Record<string, string>;

function validationAnswer(err: FastifyError, hints: FieldHints): ErrorAnswer {
  const first = err.validation?.[0];
  const missing = first?.params?.missingProperty;
  const path = (first?.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean);
  if (typeof missing === 'string') path.push(missing);
  const top = path[0];
  const field =
    path.length === 0
      ? (err.validationContext ?? 'body')
      : path.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  const why = typeof missing === 'string' ? 'is required' : (top && hints[top]) || first?.message || 'is not valid';
  return { status: 400, code: 'EINPUT', field, message: `${field}: ${why}` };
}

/** Maps anything thrown in a route to a status, a code and a one-line message. */
export function describeError(err: unknown, hints: FieldHints = {}): ErrorAnswer {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (err instanceof BriefError) {
    const status = STATUS[err.code] ?? 500;
    const field = err instanceof FieldError ? err.field : undefined;
    // A server-side failure's text may name files or hosts: it goes to the log, not the client.
    const message = status >= 500 && status !== 502 && status !== 503 ? 'internal error (see the server log)' : err.message;
    return { status, code: err.code, message, ...(field ? { field } : {}) };
  }
  const fe = err as Partial<FastifyError> | undefined;
  if (fe?.validation) return validationAnswer(fe as FastifyError, hints);
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (fe?.code === 'FST_ERR_HANDLER_TIMEOUT') {
    return { status: 503, code: 'EREDIS', message: 'the server took too long to answer; try again' };
  }
  if (status >= 400 && status < 500) {
    const message =
      status === 413
        ? 'the request body is too large'
        : status === 415
          ? 'unsupported content type'
          : (fe?.message ?? 'bad request');
    return { status, code: status === 404 ? 'ENOTFOUND' : 'EINPUT', message };
  }
  return { status: 500, code: 'EINTERNAL', message: 'internal error (see the server log)' };
}

/** Logs server-side failures with the stack; client mistakes only at debug level. */
export function logError(req: FastifyRequest, err: unknown, a: ErrorAnswer): void {
  const entry = { url: redactUrl(req.url), method: req.method, status: a.status, code: a.code };
  if (a.status >= 500) req.log.error({ ...entry, err }, 'request failed');
  else req.log.debug({ ...entry, message: a.message }, 'request refused');
}

/** `{ error: { code, message, field? } }`, the API's one error shape. */
export function jsonErrorHandler(hints: FieldHints = {}) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const a = describeError(err, hints);
    logError(req, err, a);
    const body: { code: string; message: string; field?: string } = { code: a.code, message: a.message };
    if (a.field) body.field = a.field;
    return reply
      .code(a.status)
      .headers(a.headers ?? {})
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ error: body });
  };
}
