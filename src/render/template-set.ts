import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { packagePath } from '../paths.js';
import { isStringKey, t, type Strings } from '../i18n/index.js';
import { safeUrl } from './safe-url.js';
import { underline } from './wrap-text.js';
import { isTemplateError, templateError } from './template-error.js';
import type { TemplateData } from './view-model.js';

/** The templates shipped with the package; `renderEdition` accepts another folder. */
export const DEFAULT_TEMPLATES_DIR = packagePath('templates');

type Render = (data: TemplateData) => string;

/** One template's two halves, compiled, each naming its file in any error it throws. */
export interface TemplateSet {
  /** `templates/NAME.mjml`, rendered to MJML by Handlebars (HTML-escaping). */
  mjmlFile: string;
  mjml: Render;
  /** `templates/NAME.txt.hbs`, rendered to the text part (no escaping: it is not HTML). */
  textFile: string;
  text: Render;
}

/** A Handlebars parse error is a caret diagram plus the grammar's expected tokens: keep the gist. */
function parseReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^Parse error on line (\d+):\n(.*)\n.*\n.*got '([^']+)'/.exec(message);
  return m ? `Handlebars parse error on line ${m[1]} near "${m[2]}": unexpected ${m[3]}` : message;
}

/** Strict mode says `"dat" not defined in [object Object] - 5:63`; say it for a designer. */
function runtimeReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^"(.+)" not defined in .* - (\d+):(\d+)$/.exec(message);
  return m ? `line ${m[2]}, column ${m[3]}: "${m[1]}" is not a field here (misspelt, or not in the data)` : message;
}

function rethrowNamed(err: unknown, file: string): never {
  if (isTemplateError(err)) throw err; // an inner partial already named itself
  throw templateError(file, runtimeReason(err), err);
}

function compile(
  hb: typeof Handlebars,
  source: string,
  file: string,
  options: CompileOptions,
): Handlebars.TemplateDelegate {
  // Handlebars compiles lazily, so syntax errors would otherwise surface at the first render
  // without a file name: parse now.
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(source);
  } catch (err) {
    throw templateError(file, parseReason(err), err);
  }
  const template = hb.compile(ast, options);
  return (context: unknown, runtime?: Handlebars.RuntimeOptions) => {
    try {
      return template(context, runtime);
    } catch (err) {
      rethrowNamed(err, file);
    }
  };
}

async function read(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw templateError(file, `cannot read the template (${(err as NodeJS.ErrnoException).code ?? err})`, err);
  }
}

/**
 * Strict mode turns a misspelt or missing field into an error naming the file;
 * `preventIndent` keeps partials from re-indenting the lines of HTML they emit.
 */
const HTML_OPTIONS: CompileOptions = { strict: true, preventIndent: true };
const TEXT_OPTIONS: CompileOptions = { strict: true, noEscape: true, preventIndent: true };

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('safeUrl', (value: unknown) => safeUrl(value));
  hb.registerHelper('underline', (value: unknown, char: unknown) => underline(String(value ?? ''), typeof char === 'string' && char ? char : '-'));
  // {{t "email.picks"}} or {{t "email.byline" author=author}}: a fixed string in the
  // edition's language. Its result is escaped like any value (raw in the text part).
  hb.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
    const strings = (options.data as { root?: { strings?: Strings } } | undefined)?.root?.strings;
    if (typeof key !== 'string' || !isStringKey(key)) throw new Error(`{{t ${JSON.stringify(key)}}}: no such string (see src/i18n/en.ts)`);
    if (!strings) throw new Error('{{t}} needs the edition data at the root (its "strings")');
    return t(strings, key, options.hash as Record<string, string | number>);
  });
  // {{preheaderPad}}: after the preheader, a run of zero-width non-joiners and no-break
  // spaces, so a mail client's preview shows the preheader and then blank, not the first
  // words of the body ("View in browser …"). 90 characters: with the preheader itself,
  // more than any client previews (every pair costs the HTML part 12 bytes).
  hb.registerHelper('preheaderPad', () => new hb.SafeString('&zwnj;&nbsp;'.repeat(45)));
  // A multi-line config value (the postal address) keeps its lines: each line is escaped,
  // then joined with <br>, so feed or config text still enters the HTML escaped exactly once.
  hb.registerHelper('multiline', (value: unknown) => {
    const lines = String(value ?? '').split(/\r?\n/);
    return new hb.SafeString(lines.map((l) => hb.escapeExpression(l.trim())).join('<br>'));
  });
  // {{linkify note}}: the editor's intro note. Plain text escaped once, its http(s) links
  // made clickable, its lines kept; nothing the editor types becomes markup of its own.
  hb.registerHelper('linkify', (value: unknown) => new hb.SafeString(linkifyHtml(String(value ?? ''), hb.escapeExpression)));
  return hb;
}

/** http(s) URLs in plain text; a trailing full stop, comma or bracket is the sentence's. */
const LINK = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

/** Escapes `text` once and wraps each link in an anchor; lines joined with <br>. */
export function linkifyHtml(text: string, escape: (s: string) => string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      let out = '';
      let at = 0;
      for (const m of line.matchAll(LINK)) {
        const url = m[0];
        out += escape(line.slice(at, m.index)) + `<a href="${escape(safeUrl(url))}">${escape(url)}</a>`;
        at = m.index + url.length;
      }
      return out + escape(line.slice(at));
    })
    .join('<br>');
}

/** Registers every file of `partials/` by its name up to the first dot: `story.html` is `{{> story}}`. */
async function registerPartials(hb: typeof Handlebars, dir: string): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // partials are optional
    throw templateError(dir, `cannot read the partials folder (${(err as NodeJS.ErrnoException).code ?? err})`, err);
  }
  const seen = new Map<string, string>();
  for (const fileName of names) {
    const file = path.join(dir, fileName);
    const name = fileName.split('.')[0] ?? fileName;
    const other = seen.get(name);
    if (other) throw templateError(file, `partial "${name}" is also defined by ${other}`);
    seen.set(name, fileName);
    hb.registerPartial(name, compile(hb, await read(file), file, HTML_OPTIONS));
  }
}

async function load(templatesDir: string, name: string): Promise<TemplateSet> {
  const hb = createEnvironment();
  await registerPartials(hb, path.join(templatesDir, 'partials'));
  const mjmlFile = path.join(templatesDir, `${name}.mjml`);
  const textFile = path.join(templatesDir, `${name}.txt.hbs`);
  const [mjmlSource, textSource] = await Promise.all([read(mjmlFile), read(textFile)]);
  return {
    mjmlFile,
    mjml: compile(hb, mjmlSource, mjmlFile, HTML_OPTIONS),
    textFile,
    text: compile(hb, textSource, textFile, TEXT_OPTIONS),
  };
}

/**
 * Compiled templates, per folder and template name, for the life of the process: templates
 * ship with a deployment, and re-reading them for every edition would be wasted work.
 * A failed load is forgotten so that a fixed file is picked up on the next try.
 */
const cache = new Map<string, Promise<TemplateSet>>();

export function loadTemplateSet(templatesDir: string, name: string): Promise<TemplateSet> {
  const key = `${path.resolve(templatesDir)}\0${name}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = load(path.resolve(templatesDir), name);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Forgets compiled templates, e.g. after a designer edited them in a long-running preview. */
export function clearTemplateCache(): void {
  cache.clear();
}
