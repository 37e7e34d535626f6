import type { NewsletterConfig } from '../config/schema.js';
import type { EditionContent } from '../edition/types.js';
import { compileMjml } from './compile-mjml.js';
import { PLACEHOLDER_LIKE, PLACEHOLDERS, placeholderKey } from './placeholders.js';
import { templateError } from './template-error.js';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet, type TemplateSet } from './template-set.js';
import type { CompiledVariant, RenderedEdition, VariantName } from './types.js';
import { wrapText } from './wrap-text.js';
import { buildEditionView, templateData, type EditionView } from './view-model.js';

export const VARIANTS: readonly VariantName[] = ['member', 'public'];

export interface RenderEditionInput {
  newsletter: NewsletterConfig;
  content: EditionContent;
  editionId: string;
  /** Public URL of the web archive page of this edition (the footer's "Share this edition"). */
  archiveUrl: string;
  /** Folder holding `NAME.mjml`, `NAME.txt.hbs` and `partials/`. @defaultValue the package's `templates/` */
  templatesDir?: string;
}

/** One variant after Handlebars, before MJML: what the benchmark compiles bare. */
export interface VariantSource {
  variant: VariantName;
  mjml: string;
  text: string;
}

export interface PreparedEdition {
  templates: TemplateSet;
  templatesDir: string;
  view: EditionView;
  sources: VariantSource[];
  /** Things worth an editor's attention that do not stop the edition (an unknown locale). */
  warnings: string[];
}

/**
 * A `%%BRIEF_…%%` the substitution does not know would reach every reader verbatim; feed text
 * cannot produce one (the view model breaks `%%`), so it is a typo in the template.
 */
function checkPlaceholders(doc: string, file: string): void {
  for (const m of doc.matchAll(PLACEHOLDER_LIKE)) {
    if (!placeholderKey(m[0])) {
      throw templateError(file, `unknown placeholder ${m[0]} (known: ${Object.values(PLACEHOLDERS).join(', ')})`);
    }
  }
}

/**
 * A story may well be about `javascript:` URLs. As text it is harmless, but mail security
 * gateways score the bare string in an HTML body as an attack, so its colon is written as
 * an entity (same rendering). Hrefs never hold it: `safeUrl` turns such URLs into "#".
 */
function defuseScriptScheme(mjml: string): string {
  return mjml.replace(/(javascript|vbscript)(\s*):/gi, '$1$2&#58;');
}

/** Every message must let the reader leave: a template without the link is refused. */
function requireUnsubscribe(doc: string, file: string): void {
  if (!doc.includes(PLACEHOLDERS.unsubscribeUrl)) {
    throw templateError(file, `has no unsubscribe link: add ${PLACEHOLDERS.unsubscribeUrl}`);
  }
}

/** The Handlebars half of a render: the data, then each variant's MJML and text. */
export async function prepareEdition(input: RenderEditionInput): Promise<PreparedEdition> {
  const templatesDir = input.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const templates = await loadTemplateSet(templatesDir, input.newsletter.template);
  const warnings: string[] = [];
  const view = buildEditionView(input.newsletter, input.content, input.archiveUrl, (w) => warnings.push(w));
  const sources = VARIANTS.map((variant): VariantSource => {
    const data = templateData(view, variant);
    const mjml = defuseScriptScheme(templates.mjml(data));
    const text = wrapText(templates.text(data));
    checkPlaceholders(mjml, templates.mjmlFile);
    checkPlaceholders(text, templates.textFile);
    requireUnsubscribe(text, templates.textFile);
    return { variant, mjml, text };
  });
  return { templates, templatesDir, view, sources, warnings };
}

/**
 * Renders an edition: one Handlebars render and one MJML compile per variant, leaving the
 * per-recipient placeholders for `personalise`. Template problems throw a one-line
 * BriefError `ETEMPLATE` naming the file.
 */
export async function renderEdition(input: RenderEditionInput): Promise<RenderedEdition> {
  const { templates, templatesDir, view, sources, warnings } = await prepareEdition(input);
  const greeting = { named: view.strings['email.greeting.named'], anonymous: view.strings['email.greeting.anonymous'] };
  const compiled = await Promise.all(
    sources.map(async ({ variant, mjml, text }): Promise<CompiledVariant> => {
      // Handlebars writes "=" as "&#x3D;" (for unquoted attributes, which MJML never writes):
      // six bytes for one in every link's query string, which a non-Latin edition pays again
      // in base64. Inside a quoted href or src both mean the same; text is left as escaped.
      const html = (await compileMjml(mjml, templatesDir, templates.mjmlFile)).replace(/\s(?:href|src)="[^"]*"/g, (attr) =>
        attr.replace(/&#x3D;/g, '='),
      );
      requireUnsubscribe(html, templates.mjmlFile);
      return { variant, subject: view.subject, preheader: view.preheader, html, text, greeting };
    }),
  );
  const variants = Object.fromEntries(compiled.map((v) => [v.variant, v])) as Record<VariantName, CompiledVariant>;
  return { editionId: input.editionId, subject: view.subject, variants, ...(warnings.length ? { warnings } : {}) };
}
