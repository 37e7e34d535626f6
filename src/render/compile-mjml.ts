import type { MJMLParseError, MJMLParsingOptions } from 'mjml-core';
import { templateError } from './template-error.js';

/**
 * The options of every compile (the benchmark compiles bare MJML with the same ones).
 * - strict validation: a template with an unknown tag or a bad attribute fails the edition
 *   instead of mailing a broken layout to every subscriber;
 * - minify, but not the CSS: htmlnano's CSS minifier needs a `cssnano` it cannot resolve here
 *   (it sits under mjml-core/node_modules), so it would only print a warning on every compile
 *   and do nothing; the templates' CSS is small and written compact instead;
 * - no comments (MJML keeps Outlook's conditional comments regardless) and no web fonts:
 *   `Roboto` in the system font stack must not pull in Google Fonts.
 */
export function mjmlOptions(templatesDir: string, file: string): MJMLParsingOptions {
  return {
    validationLevel: 'strict',
    minify: true,
    minifyOptions: { minifyCss: false },
    keepComments: false,
    fonts: {},
    filePath: file,
    includePath: templatesDir,
  };
}

interface ValidationErrorLike {
  errors: MJMLParseError[];
}

const isValidationError = (err: unknown): err is Error & ValidationErrorLike =>
  err instanceof Error && Array.isArray((err as Partial<ValidationErrorLike>).errors);

/**
 * Compiles Handlebars' MJML output to HTML. Errors become one ETEMPLATE line naming the
 * template file; MJML's line numbers count lines of the rendered MJML (partials expanded),
 * so the tag name is given too, which is what a designer searches for.
 */
export async function compileMjml(mjml: string, templatesDir: string, file: string): Promise<string> {
  try {
    // Loaded on first compile: mjml takes a second or more to load, which a worker that
    // only sends frozen editions, or a status command, should not pay.
    const { default: mjml2html } = await import('mjml');
    const result = await mjml2html(mjml, mjmlOptions(templatesDir, file));
    return result.html;
  } catch (err) {
    if (isValidationError(err) && err.errors.length > 0) {
      const [first] = err.errors;
      const more = err.errors.length > 1 ? ` (and ${err.errors.length - 1} more)` : '';
      throw templateError(
        file,
        `invalid MJML at line ${first?.line} of the rendered template, <${first?.tagName}>: ${first?.message}${more}`,
        err,
      );
    }
    throw templateError(file, `MJML compile failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}
