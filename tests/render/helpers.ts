import type { RecipientFields } from '../../src/render/types.js';

export { makeEdition, newsletter } from '../../bench/fixtures.js';

export const ARCHIVE_URL = 'https://brief.example.org/archive/daily/2025-09-05';

export function recipient(overrides: Partial<RecipientFields> = {}): RecipientFields {
  return {
    name: 'Ann',
    email: 'ann@example.org',
    unsubscribeUrl: 'https://brief.example.org/u/tok3n-ann',
    preferencesUrl: 'https://brief.example.org/preferences/tok3n-ann',
    viewInBrowserUrl: 'https://brief.example.org/view/tok3n-ann',
    ...overrides,
  };
}

/** How often `needle` occurs in `haystack`. */
export function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
