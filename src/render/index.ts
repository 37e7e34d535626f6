/**
 * src/render: an edition's content -> one compiled HTML + text per variant (member, public),
 * then per recipient a cheap substitution of the placeholders.
 */
export { renderEdition, VARIANTS, type RenderEditionInput } from './render-edition.js';
export { personalise, escapeHtml } from './personalise.js';
export { personaliseParts, type MimeParts } from './mime-parts.js';
export { CLIP_WARN_BYTES, GMAIL_CLIP_BYTES, clipWarning, htmlPartBytes } from './part-size.js';
export { renderArchivePage, type ArchivePageOptions } from './archive-page.js';
export { PLACEHOLDERS, GREETING, type Greeting, type PlaceholderKey } from './placeholders.js';
export { DEFAULT_TEMPLATES_DIR, clearTemplateCache } from './template-set.js';
export { formatEditionDate, formatStoryTime } from './format-date.js';
export { formatSubject } from './format-subject.js';
export { safeUrl } from './safe-url.js';
export type { CompiledVariant, RecipientFields, RenderedEdition, VariantName } from './types.js';
