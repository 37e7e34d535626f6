import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/redis-server.js';
import nodemailer from 'nodemailer';
import { briefInBackground, newsletter, tempDir, writeConfig, SECRET, type Background } from './brief.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/app.js';
import { SubscriberStore } from '../../src/subscribers/index.js';
import { VerpIndex, verpAddress } from '../../src/delivery/verp.js';
import { fixture } from '../inbound/fixtures.js';

const DOMAIN = 'bounces.example.org';
const EDITION = 'daily-2025-09-05';

describe('brief inbound, and brief start with a bounce domain', { timeout: 90_000 }, () => {
  let r: TestRedis | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  let bg: Background | undefined;
  afterEach(async () => {
    if (bg && bg.child.exitCode === null && bg.child.signalCode === null) {
      bg.child.kill('SIGKILL');
      await bg.exited();
    }
    await r?.cleanup();
    tmp?.cleanup();
  });

  it('brief inbound listens on INBOUND_PORT, reads a DSN to a VERP address, and stops on SIGTERM', async () => {
    r = await testRedis();
    tmp = tempDir(['rss.xml']);
    writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({})], bounces: { domain: DOMAIN } });
    const port = await freePort();
    bg = briefInBackground(['inbound'], { prefix: r.prefix, cwd: tmp.dir, extra: { INBOUND_PORT: String(port) } });
    await bg.waitForStderr(`inbound SMTP on 127.0.0.1:${port}`);
    const subscribers = new SubscriberStore({ redis: r.redis, keys: r.keys });
    const email = 'ghost@example.net';
    await subscribers.add('daily', email);
    // What a batch records before it sends (src/delivery/batch-sender.ts).
    await new VerpIndex({ redis: r.redis, keys: r.keys }).remember(EDITION, [email]);
    const verp = verpAddress(SECRET, DOMAIN, EDITION, email);
    const tr = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await tr.sendMail({ envelope: { from: '', to: [verp] }, raw: fixture('rfc3464-failed.eml', { VERP: verp, RCPT: email, MSGID: `${EDITION}.x@example.org` }) });
    await expect(tr.sendMail({ envelope: { from: '', to: ['anyone@example.com'] }, raw: 'Subject: relay?\r\n\r\nx' })).rejects.toMatchObject({ responseCode: 550 });
    tr.close();
    await waitFor(async () => subscribers.isSuppressed(email), 10_000, 'suppressed');
    expect((await subscribers.get('daily', email))?.status).toBe('bounced');
    bg.child.kill('SIGTERM');
    expect(await bg.exited()).toEqual({ code: 0, signal: null });
  });

  it('brief start runs brief inbound too when bounces.domain is set', async () => {
    r = await testRedis();
    tmp = tempDir(['rss.xml']);
    writeConfig(tmp.dir, 'brief.config.json', { newsletters: [newsletter({})], bounces: { domain: DOMAIN } });
    const port = await freePort();
    bg = briefInBackground(['start'], { prefix: r.prefix, cwd: tmp.dir, extra: { INBOUND_PORT: String(port), PORT: '0' } });
    await bg.waitForStderr(`inbound SMTP on 127.0.0.1:${port} (bounces for ${DOMAIN})`, 60_000);
    bg.child.kill('SIGTERM');
    expect((await bg.exited()).code).toBe(0);
  });
});
