import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileEdition } from '../src/compile-edition.js';
import { childProcessEngine, inProcessEngine } from '../src/compile-engine.js';
import { BriefError } from '../src/errors.js';
import { FIXTURE_DATE, testApp, type TestApp } from './helpers/app.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('compile engines', () => {
  let t: TestApp | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = undefined;
  });

  it('compiles in a child process exactly what it compiles in this one, and reports the child’s memory', async () => {
    t = await testApp();
    const n = t.config.newsletters[0]!;
    const deps = { redis: t.app.redis, keys: t.app.keys, publicUrl: 'https://brief.example.org' };
    const here = await compileEdition(t.config, n, FIXTURE_DATE, { ...deps, engine: inProcessEngine });
    const there = await compileEdition(t.config, n, FIXTURE_DATE, { ...deps, engine: childProcessEngine });
    expect(there.rendered).toEqual(here.rendered);
    expect(there.content).toEqual(here.content);
    expect(there.warnings).toEqual(here.warnings);
    expect(here.compileRss).toBeUndefined();
    // A Node process that loaded mjml: tens of MB at least.
    expect(there.compileRss).toBeGreaterThan(30 * 2 ** 20);
  });

  it('returns a feed error from the child as the same one-line BriefError, and the child exits', async () => {
    t = await testApp({ newsletter: { sources: [{ type: 'rss', url: './missing.xml' }] } });
    const n = t.config.newsletters[0]!;
    const session = await childProcessEngine.open();
    const pid = session.pid!;
    expect(alive(pid)).toBe(true);
    session.close();
    expect(await gone(pid)).toBe(true);

    const err = await compileEdition(t.config, n, FIXTURE_DATE, { publicUrl: 'https://x.example', engine: childProcessEngine }).catch((e) => e);
    const local = await compileEdition(t.config, n, FIXTURE_DATE, { publicUrl: 'https://x.example', engine: inProcessEngine }).catch((e) => e);
    expect(err).toBeInstanceOf(BriefError);
    expect(err.code).toBe(local.code);
    expect(err.message).toBe(local.message);
    expect(err.message).toContain('missing.xml');
    expect(err.message).not.toContain('\n');
  });

  it('a worker app compiles and freezes its edition through the child process', async () => {
    t = await testApp({ compileInChild: true });
    expect(t.app.compileEngine).toBe(childProcessEngine);
    const { status } = await t.app.service.request('daily', FIXTURE_DATE);
    await t.app.service.prepare(status.id);
    const frozen = await t.app.editions.content(status.id);
    const here = await compileEdition(t.config, t.config.newsletters[0]!, FIXTURE_DATE, { publicUrl: t.app.env.publicUrl });
    expect(frozen).toEqual(here.rendered);
    // No subscribers in this app: the snapshot is empty and the edition is done at once.
    expect(await t.app.editions.get(status.id)).toMatchObject({ state: 'sent', total: 0 });
  });

  it('leaves the stop signals to its parent (Ctrl-C reaches the whole group) and exits when closed', async () => {
    const session = await childProcessEngine.open();
    const pid = session.pid!;
    process.kill(pid, 'SIGTERM');
    process.kill(pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
    session.close();
    expect(await gone(pid)).toBe(true);
  });

  it('fails the compile with one line when the child dies mid-way, instead of hanging', async () => {
    // A feed server that never answers, so the child is busy when it is killed.
    server = createServer(() => {});
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
    const session = await childProcessEngine.open();
    const pending = session.loadArticles([{ url, label: url }], {});
    setTimeout(() => process.kill(session.pid!, 'SIGKILL'), 300);
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(BriefError);
    expect(err.code).toBe('ECOMPILE');
    expect(err.message).toMatch(/^the compile process ended \(SIGKILL\) before answering$/);
    session.close();
    expect(await gone(session.pid!)).toBe(true);
  });
});
