import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { configSchema, type BriefConfig, type NewsletterConfig } from './schema.js';
import { ConfigError, BriefError } from '../errors.js';
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

/** Reads and validates a config file. */
export function loadConfig(file: string): BriefConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BriefError('ECONFIG', `${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BriefError('ECONFIG', `${path.basename(file)}: not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, file);
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
    throw new BriefError('ENOTFOUND', `unknown newsletter "${id}" (the config has: ${known})`);
  }
  return n;
}
