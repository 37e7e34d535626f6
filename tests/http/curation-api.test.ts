import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { testApp, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import { brief } from '../cli/brief.js';

const ID = `daily-${FIXTURE_DATE}`;
const ADMIN = 'admin-token-for-tests-0123456789';

describe('curation, hold and release over the API and the CLI', () => {
  let t: TestApp;
  let http: HttpServer;
  const api = (p: string, method = 'GET', json?: unknown, token: string | null = ADMIN) =>
    fetch(`${http.url}/api${p}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: json !== undefined ? JSON.stringify(json) : undefined,
    });

  beforeAll(async () => {
    t = await testApp();
    t.app.env.adminToken = ADMIN;
    http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await http?.close();
    await t?.cleanup();
  });

  it('POST /api/editions/ID/curation applies a change and GET shows it; bad ids are a 400 naming them; no token is 401', async () => {
    expect((await api(`/editions/${ID}/curation`, 'GET', undefined, null)).status).toBe(401);
    const res = await api(`/editions/${ID}/curation`, 'POST', { exclude: ['rail-2025'], lead: 'harvest-2025', note: 'Hi https://example.org' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { lead: string; excluded: string[]; note: string };
    expect(body).toMatchObject({ lead: 'harvest-2025', excluded: ['rail-2025'], note: 'Hi https://example.org' });
    const again = (await (await api(`/editions/${ID}/curation`)).json()) as { lead: string };
    expect(again.lead).toBe('harvest-2025');
    const bad = await api(`/editions/${ID}/curation`, 'POST', { pick: ['nope'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('no article \\"nope\\"');
    expect((await api(`/editions/${ID}/curation`, 'POST', { note: 'x'.repeat(2001) })).status).toBe(400);
    // The one change that took is in the audit log, with its user and without the note's text.
    const curated = await t.app.audit.list({ action: 'curate' });
    expect(curated).toHaveLength(1);
    expect(curated[0]).toMatchObject({ actor: 'token', target: ID, detail: 'exclude rail-2025; lead harvest-2025; note (22 characters) (API)' });
  });

  it('hold and release an upcoming edition; approve refuses one not awaiting approval (409)', async () => {
    const other = 'daily-2025-09-10';
    const held = await api(`/editions/${other}/hold`, 'POST');
    expect(held.status).toBe(200);
    expect(((await held.json()) as { state: string }).state).toBe('held');
    expect((await api(`/editions/${other}/hold`, 'POST')).status).toBe(409);
    expect((await api(`/editions/${other}/approve`, 'POST')).status).toBe(409);
    const rel = await api(`/editions/${other}/release`, 'POST');
    expect(((await rel.json()) as { state: string }).state).toBe('scheduled');
    const log = (await t.app.audit.list()).filter((e) => e.target === other).map((e) => `${e.action} ${e.detail}`);
    expect(log.sort()).toEqual(['hold now held (API)', 'release now scheduled (API)']);
  });

  it('brief edition ID curate: --exclude --lead --pick --note-file, --include undoes, a bad id is one line and exit 1', async () => {
    const cfg = path.join(t.dir, 'brief.config.json');
    writeFileSync(cfg, JSON.stringify({
      newsletters: [{ id: 'daily', title: 'The Test Brief', from: 'The Test Brief <brief@example.org>', timezone: 'Asia/Tbilisi', schedule: '0 8 * * *', lists: ['daily'], sources: [{ type: 'rss', url: './feed.xml' }], sections: [{ title: 'Georgia', tags: ['Georgia'] }] }],
    }));
    const note = path.join(t.dir, 'note.txt');
    writeFileSync(note, 'Good news today.\n');
    const env = { prefix: t.prefix, cwd: t.dir };
    const r = await brief(['edition', ID, 'curate', '--include', 'rail-2025', '--exclude', 'budget-2025', '--lead', 'rail-2025', '--pick', 'harvest-2025', '--note-file', note, '--config', cfg], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rail-2025\tlead\tlead\t/m);
    expect(r.stdout).toMatch(/^budget-2025\t-\texcluded\t/m);
    expect(r.stdout).toMatch(/^harvest-2025\tMore news\tpick\t/m);
    const undo = await brief(['edition', ID, 'curate', '--include', 'budget-2025', '--json', '--config', cfg], env);
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ excluded: [], note: 'Good news today.' });
    const cli = (await t.app.audit.list({ action: 'curate' })).filter((e) => e.actor.startsWith('cli:'));
    expect(cli.map((e) => e.detail)).toEqual(['include budget-2025', 'exclude budget-2025; include rail-2025; lead rail-2025; pick harvest-2025; note (16 characters)'].map((d) => expect.stringContaining(d)));
    const bad = await brief(['edition', ID, 'curate', '--exclude', 'no-such-story', '--config', cfg], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('exclude: no article "no-such-story" in daily-2025-09-05');
  });
});
