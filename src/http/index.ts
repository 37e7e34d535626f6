/**
 * src/http — what subscribers (one-click unsubscribe, preferences, web archive), editors
 * (the console under /admin and the JSON API) and operators (bull-board, /metrics, /healthz, /readyz) reach over HTTP.
 */
export { buildHttpServer, startHttpServer, BODY_LIMIT, MAX_PARAM_LENGTH, type HttpServer } from './server.js';
export { tokensEqual, bearerToken, basicPassword } from './admin-auth.js';
export { liveWorkers, WORKER_FRESH_MS } from './live-workers.js';
export { readMetricsSnapshot, renderMetrics, type MetricsSnapshot } from './metrics.js';
export { redactUrl } from './redact-url.js';
export { DASHBOARD_PATH } from './dashboard.js';
export { CONSOLE_PATH } from './console/index.js';
export type { HttpErrorCode } from './http-error.js';
export { requireRole, roleGuard, roleAllows, neededRole, ROLES, type Role, type Principal } from './roles.js';
