import { readFileSync, existsSync, statSync } from 'node:fs';
import { parse as parseJsonc, printParseErrorCode, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import path from 'node:path';
import { configSchema, type BriefConfig, type NewsletterConfig } from './schema.js';
import { ConfigError, BriefError, quote } from '../errors.js';
import { packagePath } from '../paths.js';

/** The config file names looked for in the working directory, in order. */
export const CONFIG_NAMES = ['brief.config.json'];

/** The bundled example used when no config is found. */
export const EXAMPLE_CONFIG = packagePath('examples', 'brief.config.json');

/** Finds the config: `--config FILE`, else `brief.config.json` in `cwd`, else the bundled example. */
export function findConfigFile(explicit: string | undefined, cwd: string): { file: string; example: boolean } {
  if (explicit) return { file: path.resolve(cwd, explicit), example: false };
  for (const name of CONFIG_NAMES) {
    const candidate = path.join(cwd, name);
    if (existsSync(candidate)) return { file: candidate, example: false };
  }
  return { file: EXAMPLE_CONFIG, example: true };
}

function formatPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of p) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Validates a parsed config object; throws ConfigError with one line per bad field. */
export function parseConfig(raw: unknown, file: string): BriefConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((k) => `${formatPath([...issue.path, k])}: unknown key`)
          .join('\n');
      }
      return `${formatPath(issue.path)}: ${issue.message}`;
    });
    throw new ConfigError(path.basename(file), lines.join('\n').split('\n'));
  }
  return { ...result.data, file, baseDir: path.dirname(file) };
}

/** A config is a few kilobytes; anything past this is not one (and is never read whole). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads and validates a config file. It must be a regular file of at most MAX_CONFIG_BYTES
 * (so `--config /dev/zero` or a directory is refused at once), UTF-8 with or without a BOM,
 * with no control characters. No error ever echoes the file's contents: a JSON error names
 * the line and column only.
 */
export function loadConfig(file: string): BriefConfig {
  const name = path.basename(file);
  const fail = (why: string) => new BriefError('ECONFIG', `${quoteName(file)}: ${why}`);
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? 'error'})`);
  }
  if (!st.isFile()) throw fail(st.isDirectory() ? 'is a directory, not a config file' : 'is not a regular file');
  if (st.size > MAX_CONFIG_BYTES) throw fail(`is ${st.size} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw fail(`cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw fail(`is larger than ${MAX_CONFIG_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw fail(`not UTF-8 text (${lineColumn(bytes.toString('latin1'), firstInvalidUtf8(bytes))})`);
  }
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) throw fail(`not a text file: a control character at ${lineColumn(text, control.index)}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const e = errors[0];
    const where = e ? `${lineColumn(text, e.offset)} (${describeJsonError(e.error)})` : 'somewhere';
    throw new BriefError('ECONFIG', `${quoteName(name)}: not valid JSON at ${where}`);
  }
  return parseConfig(raw, file);
}

/** A file name as it goes into an error: as it is when plain, quoted and escaped otherwise. */
function quoteName(file: string): string {
  return /^[\w./ @+,-]+$/.test(file) ? file : quote(file);
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function firstInvalidUtf8(bytes: Buffer): number {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, by bisection (a config is small).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      dec.decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

function describeJsonError(code: ParseErrorCode): string {
  const words = printParseErrorCode(code)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words;
}

/** Resolves a source url or path in the config: http(s) stays, anything else is a file relative to the config. */
export function resolveConfigPath(config: Pick<BriefConfig, 'baseDir'>, p: string): string {
  if (/^https?:\/\//i.test(p)) return p;
  return path.resolve(config.baseDir, p);
}

export function getNewsletter(config: BriefConfig, id: string): NewsletterConfig {
  const n = config.newsletters.find((x) => x.id === id);
  if (!n) {
    const known = config.newsletters.map((x) => x.id).join(', ');
    throw new BriefError('ENOTFOUND', `unknown newsletter ${quote(id)} (the config has: ${known})`);
  }
  return n;
}
