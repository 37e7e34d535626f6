import type { Greeting } from './placeholders.js';

/** The per-recipient fields filled into a compiled variant by substitution. */
export interface RecipientFields {
  name: string;
  email: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
  viewInBrowserUrl: string;
}

/** Which variant of an edition a recipient gets. */
export type VariantName = 'member' | 'public';

/** One compiled variant, ready for cheap per-recipient substitution. */
export interface CompiledVariant {
  variant: VariantName;
  subject: string;
  preheader: string;
  /** HTML with placeholders such as `%%BRIEF_UNSUBSCRIBE_URL%%`. */
  html: string;
  /** Plain text with the same placeholders. */
  text: string;
  /** The greeting's words in the edition's language; absent in variants frozen before it existed (English). */
  greeting?: Greeting;
}

/** A rendered edition: every variant, frozen when a send starts. */
export interface RenderedEdition {
  editionId: string;
  subject: string;
  variants: Record<VariantName, CompiledVariant>;
  /** One line each, for the log and `brief preview`'s stderr; absent when there is nothing to say. */
  warnings?: string[];
}
