/**
 * src/audit — who did what, when and from where: a capped Redis stream written by the
 * console, the API and the CLI (`app.audit.record({ actor, action, target, detail, ip })`),
 * read by the console's Activity page and `brief audit`.
 */
export { AuditLog, AUDIT_ACTIONS, AUDIT_MAX_ENTRIES, type AuditAction, type AuditEntry, type AuditInput } from './audit-log.js';
