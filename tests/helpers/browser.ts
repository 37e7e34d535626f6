/**
 * A real browser for page tests: playwright-core driving Debian's Chromium (`.ci/run`
 * installs the `chromium` package when it is missing). Never a browser build of
 * playwright's own: this machine cannot download one.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots of test runs go (not committed: see .gitignore). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export const PHONE = { width: 375, height: 812 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

/** A fresh context (own cookies) at a viewport; `dark` emulates prefers-color-scheme: dark. */
export async function newContext(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; dark?: boolean; baseURL?: string } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: opts.viewport ?? DESKTOP,
    colorScheme: opts.dark ? 'dark' : 'light',
    baseURL: opts.baseURL,
  });
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = (() => {
  let src: string | undefined;
  return () => {
    if (src === undefined) {
      const require = createRequire(import.meta.url);
      src = require('node:fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') as string;
    }
    return src;
  };
})();

/** Runs axe-core in the page and returns the WCAG 2.x A/AA violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, not as a <script> tag: the console's CSP (rightly)
  // refuses inline scripts, and the check must run with that CSP in force.
  await page.evaluate(axeSource());
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/**
 * Logs in on the console's login form (`/admin`) with an account's email and password, or
 * with `BRIEF_ADMIN_TOKEN` as the password and the email left empty (`''`).
 */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/admin');
  if (email) await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/admin/newsletters');
}

/**
 * On an edition page: clicks a curation button of an article's row and waits until the
 * preview frame has re-rendered (console's curate.js sets `body.dataset.previewMs`); its ms.
 */
export async function curateAndWait(page: Page, article: string, button: string): Promise<number> {
  type Doc = { document: { body: { dataset: Record<string, string | undefined> } } };
  await page.evaluate(() => delete (globalThis as unknown as Doc).document.body.dataset.previewMs);
  await page.locator(`tr[data-article="${article}"]`).getByRole('button', { name: button, exact: true }).click();
  await page.waitForFunction(() => (globalThis as unknown as Doc).document.body.dataset.previewMs !== undefined, undefined, { timeout: 10_000 });
  return Number(await page.evaluate(() => (globalThis as unknown as Doc).document.body.dataset.previewMs));
}
