import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BriefError } from '../../src/errors.js';
import { DEFAULT_TEMPLATES_DIR, renderEdition } from '../../src/render/index.js';
import { ARCHIVE_URL, makeEdition, newsletter } from './helpers.js';

const dirs: string[] = [];

/** A fresh copy of the shipped templates with one file changed (fresh folder = fresh cache entry). */
async function templatesWith(file: string, edit: (source: string) => string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'brief-templates-'));
  dirs.push(dir);
  await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  const target = path.join(dir, file);
  const source = await readFile(target, 'utf8').catch(() => '');
  await writeFile(target, edit(source));
  return dir;
}

async function renderError(templatesDir: string, template = 'daily-brief'): Promise<BriefError> {
  const err = await renderEdition({
    newsletter: { ...newsletter, template },
    content: makeEdition(4),
    editionId: 'e',
    archiveUrl: ARCHIVE_URL,
    templatesDir,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BriefError);
  const briefError = err as BriefError;
  expect(briefError.code).toBe('ETEMPLATE');
  expect(briefError.message).not.toContain('\n');
  return briefError;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('template errors are one ETEMPLATE line naming the file', () => {
  it('a Handlebars syntax error in a partial', async () => {
    const dir = await templatesWith('partials/story.html', (s) => s.replace('{{/if}}', ''));
    const err = await renderError(dir);
    expect(err.message).toContain(path.join(dir, 'partials', 'story.html'));
    expect(err.message).toMatch(/doesn't match|parse error/i);
  });

  it('an unclosed mustache in the main template, with its line', async () => {
    const dir = await templatesWith('daily-brief.mjml', (s) => s.replace('{{> masthead}}', '{{> masthead'));
    const err = await renderError(dir);
    expect(err.message.startsWith(`${path.join(dir, 'daily-brief.mjml')}: Handlebars parse error on line `)).toBe(true);
  });

  it('a misspelt field (strict mode) names the partial it is in', async () => {
    const dir = await templatesWith('partials/masthead.mjml', (s) => s.replace('{{date}}', '{{dat}}'));
    const err = await renderError(dir);
    expect(err.message).toContain(path.join(dir, 'partials', 'masthead.mjml'));
    expect(err.message).toMatch(/: line \d+, column \d+: "dat" is not a field here/);
  });

  it('a missing partial', async () => {
    const dir = await templatesWith('daily-brief.mjml', (s) => s.replace('{{> footer}}', '{{> foter}}'));
    const err = await renderError(dir);
    expect(err.message).toContain(path.join(dir, 'daily-brief.mjml'));
    expect(err.message).toContain('foter');
  });

  it('invalid MJML names the template and the tag', async () => {
    const dir = await templatesWith('partials/top-bar.mjml', (s) => s.replaceAll('mj-text', 'mj-txt'));
    const err = await renderError(dir);
    expect(err.message).toContain(path.join(dir, 'daily-brief.mjml'));
    expect(err.message).toContain('<mj-txt>');
  });

  it('an unknown placeholder', async () => {
    const dir = await templatesWith('partials/masthead.mjml', (s) => s.replace('%%BRIEF_GREETING%%', '%%BRIEF_GRETING%%'));
    const err = await renderError(dir);
    expect(err.message).toContain(path.join(dir, 'daily-brief.mjml'));
    expect(err.message).toContain('unknown placeholder %%BRIEF_GRETING%%');
  });

  it('a text part without the unsubscribe link', async () => {
    const dir = await templatesWith('daily-brief.txt.hbs', (s) => s.replace('%%BRIEF_UNSUBSCRIBE_URL%%', ''));
    const err = await renderError(dir);
    expect(err.message).toBe(`${path.join(dir, 'daily-brief.txt.hbs')}: has no unsubscribe link: add %%BRIEF_UNSUBSCRIBE_URL%%`);
  });

  it('two partials with one name', async () => {
    const dir = await templatesWith('partials/story.mjml', () => '<p>duplicate</p>');
    const err = await renderError(dir);
    expect(err.message).toMatch(/partial "story" is also defined by story\.(html|mjml)/);
  });

  it('a template that does not exist', async () => {
    const dir = await templatesWith('partials/unused.html', () => '');
    const err = await renderError(dir, 'weekly');
    expect(err.message).toMatch(new RegExp(`^${path.join(dir, 'weekly')}\\.(mjml|txt\\.hbs): cannot read the template \\(ENOENT\\)$`));
  });

  it('a fixed template is picked up: failures are not cached', async () => {
    const dir = await templatesWith('partials/footer.mjml', (s) => `${s}{{#if}}`);
    await renderError(dir);
    await writeFile(path.join(dir, 'partials', 'footer.mjml'), await readFile(path.join(DEFAULT_TEMPLATES_DIR, 'partials', 'footer.mjml'), 'utf8'));
    const ok = await renderEdition({ newsletter, content: makeEdition(4), editionId: 'e', archiveUrl: ARCHIVE_URL, templatesDir: dir });
    expect(ok.variants.public.html).toContain('Unsubscribe');
  });
});
