import { personalise } from './personalise.js';
import type { RenderedEdition, VariantName } from './types.js';

export interface ArchivePageOptions {
  /** This page's own public URL: the "View in browser" links point here. */
  archiveUrl: string;
  /** A generic unsubscribe page (asks for an address; carries no subscriber token). */
  unsubscribeUrl: string;
  /** @defaultValue `unsubscribeUrl` */
  preferencesUrl?: string;
  /** @defaultValue "public" — the archive is public, so it shows the membership call to action */
  variant?: VariantName;
}

/**
 * The web archive's HTML of an edition: the same compiled variant subscribers got, with the
 * personal placeholders filled by neutral values, so no subscriber's name, address or
 * unsubscribe token ever appears on a public page.
 */
export function renderArchivePage(edition: RenderedEdition, options: ArchivePageOptions): string {
  const variant = edition.variants[options.variant ?? 'public'];
  return personalise(variant, {
    name: '',
    email: '',
    unsubscribeUrl: options.unsubscribeUrl,
    preferencesUrl: options.preferencesUrl ?? options.unsubscribeUrl,
    viewInBrowserUrl: options.archiveUrl,
  }).html;
}
