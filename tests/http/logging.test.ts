import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { testApp, type TestApp } from '../helpers/app.js';
import { buildHttpServer } from '../../src/http/index.js';
import { makeToken } from '../../src/delivery/tokens.js';

describe('HTTP logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
    await t.app.subscribers.add('daily', 'secret.reader@example.net');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('log each request at info with the token redacted and no subscriber address', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const server = buildHttpServer({ ...t.app, logger });
    try {
      const token = makeToken(await t.app.secret(), { action: 'unsubscribe', list: 'daily', email: 'secret.reader@example.net', edition: 'daily-2025-09-05' });
      expect((await server.inject({ method: 'GET', url: `/u/${token}` })).statusCode).toBe(200);
      const post = await server.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(post.statusCode).toBe(200);
      expect((await server.inject({ method: 'GET', url: `/u/${token}x` })).statusCode).toBe(400);
    } finally {
      await server.close();
    }
    const text = lines.join('');
    expect(text).toContain('"url":"/u/[token]"');
    expect(text).toContain('"msg":"unsubscribed"');
    expect(text).not.toContain('secret.reader');
    expect(text).not.toContain(Buffer.from('secret.reader').toString('base64url').slice(0, 10));
    expect(text).not.toMatch(/\/u\/[A-Za-z0-9_-]{10,}/);
  });
});
