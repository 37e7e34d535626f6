import { PermanentSendError, TemporarySendError } from '../errors.js';

/**
 * 5xx is permanent for that recipient; 4xx and errors without a reply code (connection
 * refused, reset, timeout) are temporary. nodemailer's `err.code` (EENVELOPE, EMESSAGE…)
 * does not say which, so only `responseCode` decides.
 */
export function classifySendError(err: unknown): TemporarySendError | PermanentSendError {
  if (err instanceof TemporarySendError || err instanceof PermanentSendError) return err;
  const e = err as { responseCode?: unknown; response?: unknown; message?: unknown };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const text = String(e?.response ?? e?.message ?? err).split('\n')[0]!.slice(0, 300);
  if (code !== undefined && code >= 500 && code < 600) return new PermanentSendError(text, code, { cause: err });
  return new TemporarySendError(text, code, { cause: err });
}
