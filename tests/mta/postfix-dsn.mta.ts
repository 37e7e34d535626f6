import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { freePort } from '../../src/redis/redis-server.js';
import { parseLedgerEntry } from '../../src/delivery/edition-store.js';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { readEnv } from '../../src/config/env.js';
import { createApp, type App } from '../../src/wiring.js';
import { silentLogger } from '../../src/logger.js';
import { deleteByPrefix, testRedis, type TestRedis } from '../helpers/redis.js';
import { FIXTURE_DATE, FIXTURE_FEED, waitFor } from '../helpers/app.js';
import { briefInBackground, tempDir, writeConfig, SECRET, type Background } from '../cli/brief.js';
import { startPrivatePostfix, type PrivatePostfix } from './private-postfix.js';

const DOMAIN = 'mta.brief.test';
const BOUNCE_DOMAIN = 'bounces.brief.test';
const EDITION = `daily-${FIXTURE_DATE}`;
const known = ['ana', 'ben', 'cara', 'dato'].map((l) => `${l}@${DOMAIN}`);
const unknown = ['ghost1', 'ghost2', 'nobody-here'].map((l) => `${l}@${DOMAIN}`);

describe('an edition through a real Postfix: its DSNs reach brief inbound and suppress exactly the unknown addresses', () => {
  let postfix: PrivatePostfix;
  let inbound: Background;
  let app: App;
  let r: TestRedis;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    const [smtpPort, inboundPort] = [await freePort(), await freePort()];
    r = await testRedis();
    tmp = tempDir();
    copyFileSync(FIXTURE_FEED, path.join(tmp.dir, 'feed.xml'));
    const raw = {
      newsletters: [
        {
          id: 'daily',
          title: 'The MTA Test Brief',
          from: 'The MTA Test Brief <brief@example.org>',
          timezone: 'Asia/Tbilisi',
          schedule: '0 8 * * *',
          lists: ['daily'],
          sources: [{ type: 'rss', url: './feed.xml' }],
          sections: [{ title: 'Georgia', tags: ['Georgia'] }],
        },
      ],
      delivery: { batchSize: 50, poolSize: 2 },
      bounces: { domain: BOUNCE_DOMAIN },
    };
    const file = writeConfig(tmp.dir, 'brief.config.json', raw);
    postfix = startPrivatePostfix({ domain: DOMAIN, mailboxes: known, smtpPort, bounceDomain: BOUNCE_DOMAIN, inboundPort });
    // The real command, as an operator runs it.
    inbound = briefInBackground(['inbound'], { prefix: r.prefix, cwd: tmp.dir, extra: { INBOUND_PORT: String(inboundPort), LOG_LEVEL: 'info' } });
    await inbound.waitForStderr('inbound SMTP on 127.0.0.1:');
    const env = readEnv({
      REDIS_URL: r.url,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      BRIEF_SECRET: SECRET,
      BRIEF_PREFIX: r.prefix,
      PUBLIC_URL: 'https://brief.example.org',
    });
    app = createApp({ config: parseConfig(raw, file), env, redisUrl: r.url, logger: silentLogger() });
    for (const a of [...known, ...unknown]) await app.subscribers.add('daily', a);
  });

  afterAll(async () => {
    inbound?.child.kill('SIGTERM');
    await inbound?.exited();
    postfix?.stop();
    await app?.close();
    if (r) await deleteByPrefix(r.redis, r.prefix);
    await r?.redis.quit();
    tmp?.cleanup();
  });

  it('relays, bounces, and the DSNs suppress the unknown recipients only', async () => {
    const worker = await app.startWorkers();
    try {
      await app.service.request('daily', FIXTURE_DATE);
      const sent = await waitFor(async () => {
        const s = await app.service.status(EDITION);
        return s.state === 'sent' ? s : null;
      }, 60_000, 'the edition sent');
      // Postfix accepted every recipient at RCPT: no 5xx on the first hop.
      expect(sent).toMatchObject({ total: 7, sent: 7, suppressed: 0, failed: 0 });
    } finally {
      await worker.close();
    }
    const why = () => `postfix log:\n${postfix.log()}\nbrief inbound:\n${inbound.stderr()}`;
    await waitFor(async () => (await app.subscribers.suppressedMany(unknown)).every(Boolean), 90_000, `the DSNs to suppress ${unknown.join(', ')}\n${why()}`);
    // Everything Postfix had to say has been said once its queue is empty; give it a moment.
    await waitFor(async () => (await app.service.status(EDITION)).bounces === unknown.length, 30_000, 'bounces counted');

    expect(await app.subscribers.suppressedMany(known)).toEqual(known.map(() => false));
    for (const a of known) expect((await app.subscribers.get('daily', a))?.status).toBe('active');
    for (const a of unknown) {
      expect((await app.subscribers.get('daily', a))?.status).toBe('bounced');
      // Sent (Postfix took it: 250), then Postfix's own DSN recorded the hard bounce on the entry.
      const entry = parseLedgerEntry(await app.editions.ledger(EDITION, a));
      expect(entry).toMatchObject({ kind: 's', events: ['hard:5.1.1'] });
      expect(entry?.reply).toMatch(/^250 /);
      expect((await app.subscribers.suppression(a))?.reason).toMatch(/^bounce 5\.1\.1 \(dsn\)$/);
    }
    // The known recipients really got the edition, with our VERP return path.
    for (const a of known) {
      const m = postfix.mailbox(a.split('@')[0]!);
      expect(m, `mailbox of ${a}`).toMatch(/^Return-Path: <bounces\+[a-z2-7]{36}@bounces\.brief\.test>/m);
    }
    const s = await app.service.status(EDITION);
    expect(s).toMatchObject({ bounces: 3, complaints: 0, complaintRate: 0 });
    expect(postfix.log()).toMatch(/status=bounced/);
  });
});
