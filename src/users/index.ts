/**
 * src/users — console accounts with roles (src/http/roles.ts): scrypt password hashes and
 * one-time, expiring, signed sign-in links, in Redis under `{users}`.
 */
export { UserStore, SIGN_IN_TTL_S, SIGN_IN_PATH, normaliseUserEmail, userKey, loginName, type User } from './user-store.js';
export { hashPassword, verifyPassword, passwordProblem, MIN_PASSWORD_LENGTH } from './password.js';
