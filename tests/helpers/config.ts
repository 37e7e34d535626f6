import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

/** The one-line issues `parseConfig` gives for a raw config, or [] when it is accepted. */
export function configIssues(raw: unknown, file = '/x/brief.config.json'): string[] {
  try {
    parseConfig(raw, file);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}
