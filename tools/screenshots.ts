/**
 * `npm run screenshots`: the English example edition and a 6-story Georgian edition at
 * 375 and 1280 px, light and dark (prefers-color-scheme emulated), into docs/, and the
 * README's docs/example-edition.png (600 px, light). Pictures come from examples/images/
 * without a server; nothing else is fetched.
 */
import { readEnv } from '../src/config/env.js';
import { packagePath } from '../src/paths.js';
import { personalise } from '../src/render/index.js';
import { screenshotHtml } from '../src/render/screenshot.js';
import { DATE, PUBLIC_URL, englishExample, scriptEdition, type ExampleEdition } from './example-messages.js';

const chromiumPath = readEnv(process.env).chromiumPath;
const localImages = { urlPrefix: `${PUBLIC_URL}/examples/images/`, dir: packagePath('examples', 'images') };

function html(e: ExampleEdition, name: string): string {
  return personalise(e.edition.variants.member, {
    name,
    email: 'reader@example.org',
    unsubscribeUrl: `${PUBLIC_URL}/u/preview`,
    preferencesUrl: `${PUBLIC_URL}/p/preview`,
    viewInBrowserUrl: `${PUBLIC_URL}/archive/daily/${DATE}`,
  }).html;
}

const editions = { en: html(await englishExample(), 'Ann'), ka: html(await scriptEdition('ka', 6), 'ნინო') };
const shots: Array<{ file: string; doc: string; width: number; dark: boolean }> = [
  { file: 'example-edition.png', doc: editions.en, width: 600, dark: false },
];
for (const [lang, doc] of Object.entries(editions)) {
  for (const width of [375, 1280]) for (const dark of [false, true]) shots.push({ file: `edition-${lang}-${width}-${dark ? 'dark' : 'light'}.png`, doc, width, dark });
}
for (const s of shots) {
  const out = packagePath('docs', s.file);
  const r = await screenshotHtml(s.doc, out, { width: s.width, dark: s.dark, chromiumPath, localImages });
  process.stdout.write(`docs/${s.file} (${r.width}×${r.height} px)\n`);
}
