/**
 * src/http/console — the editor console under /admin: a login (a user's email and password,
 * or BRIEF_ADMIN_TOKEN) into a Redis session, server-rendered pages (newsletters, an edition
 * with its preview, test send, send, live progress and report, subscribers, Activity, Users)
 * whose actions call the same EditionService as the CLI and the API, each checked against
 * the session's role (src/http/roles.ts) and recorded in the audit log (src/audit). The
 * pages' stylesheet and scripts are in public/console/.
 */
export { consoleRoutes, liveStatus } from './console-routes.js';
export { CONSOLE_PATH, CONSOLE_CSP } from './console-page.js';
export { SessionStore, SESSION_TTL_S, type ConsoleSession } from './session-store.js';
export { SESSION_COOKIE } from './console-auth.js';
