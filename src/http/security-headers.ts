import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_CSP } from './page.js';

/**
 * An archived edition is the MJML output subscribers got: inline styles everywhere and images
 * from wherever the newsroom hosts them. Still no script, no forms, no framing.
 */
export const ARCHIVE_CSP =
  `default-src 'none'; style-src 'unsafe-inline' https:; img-src https: http: data:; font-src https: data:; ` +
  `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * bull-board is a React app served from its own static files: its scripts are same-origin
 * files (the inline <script> holds JSON, which CSP does not run), its loading screen uses
 * inline styles and it links IBM Plex from Google Fonts.
 */
export const DASHBOARD_CSP =
  `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; ` +
  `font-src 'self' https://fonts.gstatic.com data:; img-src 'self' data:; connect-src 'self'; ` +
  `base-uri 'self'; form-action 'self'; frame-ancestors 'none'`;

/** JSON and plain text never need to load anything. */
export const NONE_CSP = `default-src 'none'; frame-ancestors 'none'`;

/**
 * Sets the headers every response carries; routes that serve other kinds of HTML replace the
 * CSP with their own. Set in onRequest, so error and 404 responses carry them too.
 */
export function securityHeaders(_req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.headers({
    'content-security-policy': NONE_CSP,
    'x-content-type-options': 'nosniff',
    // Nothing here is meant to be framed: not the token pages (clickjacking an unsubscribe
    // button), not the dashboard (clickjacking a "clean queue" button).
    'x-frame-options': 'DENY',
    // Token URLs must never leak to another site through Referer.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });
  done();
}

/** The CSP of the service's own HTML pages. */
export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP);
}
