import { afterEach, describe, expect, it } from 'vitest';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { EditionStore } from '../../src/delivery/edition-store.js';
import { editionOfMessageId } from '../../src/inbound/inbound-handler.js';
import { messageIdFor } from '../../src/delivery/build-message.js';
import { parseConfig } from '../../src/config/load.js';

describe('inbound events on the ledger', () => {
  let r: TestRedis | undefined;
  afterEach(async () => r?.cleanup());

  it('count once, and survive the outcome recorded after them (a DSN faster than our own record)', async () => {
    r = await testRedis();
    const store = new EditionStore({ redis: r.redis, keys: r.keys });
    const id = 'daily-2025-09-05';
    await store.create(id, 'daily', '2025-09-05');
    expect(await store.claim(id, 0, ['a@example.net'])).toEqual([1]);
    expect(await store.recordInbound(id, 'a@example.net', 'hard|a@example.net', 'hard:5.1.1', 'bounces')).toBe(true);
    expect(await store.recordInbound(id, 'a@example.net', 'hard|a@example.net', 'hard:5.1.1', 'bounces')).toBe(false);
    expect(await store.ledger(id, 'a@example.net')).toBe('i:0|hard:5.1.1');
    // A re-run of the batch still sees its own claim, and keeps the tail.
    expect(await store.claim(id, 0, ['a@example.net'])).toEqual([1]);
    await store.mark(id, 'a@example.net', 's', 0);
    expect(await store.ledger(id, 'a@example.net')).toBe('s:0|hard:5.1.1');
    expect(await store.claim(id, 0, ['a@example.net'])).toEqual([0]);
    expect(await store.get(id)).toMatchObject({ sent: 1, bounces: 1, complaints: 0, complaintRate: 0 });
    await store.recordInbound(id, 'a@example.net', 'complaint|a@example.net', 'complaint:abuse', 'complaints');
    expect(await store.ledger(id, 'a@example.net')).toBe('s:0|hard:5.1.1|complaint:abuse');
    expect(await store.get(id)).toMatchObject({ complaints: 1, complaintRate: 1 });
  });
});

describe('editionOfMessageId', () => {
  const config = parseConfig(
    { newsletters: [{ id: 'daily', title: 'T', from: 'T <brief@example.org>', timezone: 'UTC', schedule: '0 8 * * *', lists: ['daily'], sources: [{ type: 'rss', url: './x.xml' }] }] },
    '/nowhere/brief.config.json',
  );
  it('names the edition only when the Message-ID is the one we made for that recipient', () => {
    const id = messageIdFor('daily-2025-09-05', 'a@example.net', 'example.org');
    expect(editionOfMessageId(config, `<${id}>`, 'a@example.net')).toBe('daily-2025-09-05');
    expect(editionOfMessageId(config, id, 'b@example.net')).toBeUndefined();
    expect(editionOfMessageId(config, id.replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`), 'a@example.net')).toBeUndefined();
    expect(editionOfMessageId(config, messageIdFor('other-2025-09-05', 'a@example.net', 'example.org'), 'a@example.net')).toBeUndefined();
    expect(editionOfMessageId(config, undefined, 'a@example.net')).toBeUndefined();
  });
});
