import path from 'node:path';
import { BriefError } from '../errors.js';

/** A path as a reader wants it in a message: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Handlebars and MJML messages span lines (a caret diagram, a list); users get one line. */
function flatten(message: string): string {
  return message.replace(/\s*\n[\s-]*\^?\s*/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `ETEMPLATE` with the one line "FILE: reason". */
export function templateError(file: string, reason: string, cause?: unknown): BriefError {
  return new BriefError('ETEMPLATE', `${displayPath(file)}: ${flatten(reason)}`, { cause });
}

/** True for an error that already names its file: an outer template must not wrap it again. */
export function isTemplateError(err: unknown): err is BriefError {
  return err instanceof BriefError && err.code === 'ETEMPLATE';
}
