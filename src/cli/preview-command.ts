import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import { getNewsletter } from '../config/load.js';
import type { BriefConfig, NewsletterConfig } from '../config/schema.js';
import { editionWindow, nextEditionDate } from '../edition/index.js';
import type { VariantName } from '../render/types.js';
import { BriefError, quote } from '../errors.js';

/** NEWSLETTER may be left out when the config has exactly one. */
export function pickNewsletter(config: BriefConfig, id: string | undefined): NewsletterConfig {
  if (id) return getNewsletter(config, id);
  if (config.newsletters.length === 1) return config.newsletters[0]!;
  throw new BriefError('EINPUT', `name a newsletter: the config has ${config.newsletters.map((n) => n.id).join(', ')}`);
}

export function parseDateOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new BriefError('EINPUT', `--date: ${quote(value)} is not a date (YYYY-MM-DD)`);
  }
  return value;
}

function parseWidth(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 200 || n > 3000) throw new BriefError('EINPUT', `--width: ${quote(value)} must be a whole number of pixels from 200 to 3000`);
  return n;
}

export function previewCommand(ctx: CliContext): Command {
  return new Command('preview')
    .description("render an edition without sending it (default: the next edition's date)")
    .argument('[NEWSLETTER]', 'newsletter id (optional when the config has one)')
    .option('--date <YYYY-MM-DD>', "the edition's date in the newsletter's time zone", parseDateOption)
    .option('--out <FILE.html>', 'write the HTML here instead of stdout')
    .option('--text <FILE.txt>', 'also write the plain-text part here')
    .addOption(new Option('--variant <name>', 'which variant to show').choices(['public', 'member']).default('public'))
    .option('--png <FILE.png>', 'also write a screenshot of the edition through Chromium (CHROMIUM_PATH, default /usr/bin/chromium)')
    .option('--width <PX>', '--png: the viewport width in pixels', parseWidth, 375)
    .option('--dark', '--png: as a reader in dark mode sees it (prefers-color-scheme: dark)')
    .action(async (id: string | undefined, opts: { date?: string; out?: string; text?: string; variant: VariantName; png?: string; width: number; dark?: boolean }) => {
      const config = ctx.config();
      const newsletter = pickNewsletter(config, id);
      const date = opts.date ?? nextEditionDate(newsletter.schedule, newsletter.timezone, new Date());
      // A date without an edition fails here, before the slow part (compileEdition checks again).
      editionWindow(newsletter.schedule, newsletter.timezone, date);
      // Loaded on use: mjml alone takes a second or more to load.
      const [{ compileEdition }, { personalise, clipWarning, htmlPartBytes }] = await Promise.all([import('../compile-edition.js'), import('../render/index.js')]);
      const keys = ctx.keys();
      const redis = await ctx.redis().catch((err: Error) => {
        ctx.warn(`preview: Redis not reachable (${err.message.split(';')[0]}); skipped the check against earlier editions`);
        return undefined;
      });
      const compiled = await compileEdition(config, newsletter, date, { redis, keys, publicUrl: ctx.env.publicUrl });
      for (const f of compiled.failures) ctx.warn(`feed failed (the edition goes out without it): ${f.error}`);
      for (const w of compiled.warnings) ctx.warn(`warning: ${w}`);
      const nearClip = clipWarning(htmlPartBytes(compiled.rendered));
      if (nearClip) ctx.warn(`warning: ${nearClip}`);
      const variant = compiled.rendered.variants[opts.variant];
      const { html, text } = personalise(variant, {
        name: 'Reader',
        email: 'reader@example.org',
        unsubscribeUrl: `${ctx.env.publicUrl}/u/preview`,
        preferencesUrl: `${ctx.env.publicUrl}/p/preview`,
        viewInBrowserUrl: `${ctx.env.publicUrl}/archive/${newsletter.id}/${date}`,
      });
      const summary =
        `${compiled.editionId}: ${compiled.content.articles.length} articles, ` +
        `window (${compiled.window.start}, ${compiled.window.end}], subject "${variant.subject}"`;
      if (opts.out) {
        writeFileSync(opts.out, html);
        ctx.warn(`${summary}\nwrote ${opts.out} (${Buffer.byteLength(html)} bytes)`);
      } else {
        ctx.stdout.write(html + '\n');
        ctx.warn(summary);
      }
      if (opts.text) {
        writeFileSync(opts.text, text);
        ctx.warn(`wrote ${opts.text}`);
      }
      if (opts.png) {
        const { screenshotHtml } = await import('../render/screenshot.js');
        const { packagePath } = await import('../paths.js');
        const shot = await screenshotHtml(html, opts.png, {
          width: opts.width,
          dark: opts.dark,
          chromiumPath: ctx.env.chromiumPath,
          localImages: { urlPrefix: `${ctx.env.publicUrl}/examples/images/`, dir: packagePath('examples', 'images') },
        });
        ctx.warn(`wrote ${opts.png} (${shot.width}×${shot.height} px${opts.dark ? ', dark' : ''})`);
      }
    });
}
