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
}

/** A rendered edition: every variant, frozen when a send starts. */
export interface RenderedEdition {
  editionId: string;
  subject: string;
  variants: Record<VariantName, CompiledVariant>;
}
