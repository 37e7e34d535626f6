import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BriefError } from '../../src/errors.js';
import { packRecord, SubscriberStore } from '../../src/subscribers/index.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';
import { recount } from './helpers.js';

let t: TestRedis;
let store: SubscriberStore;
let clock: number;

beforeEach(async () => {
  t = await testRedis();
  clock = Date.UTC(2025, 0, 6, 8, 0, 0);
  store = new SubscriberStore({ redis: t.redis, keys: t.keys, now: () => clock });
});
afterEach(async () => {
  await t.cleanup();
});

async function expectCountsExact(list: string) {
  expect(await store.counts(list)).toEqual(await recount(store, list));
}

describe('SubscriberStore options', () => {
  it('names the bad option', () => {
    expect(() => new SubscriberStore({ redis: {} as never, keys: t.keys })).toThrow(/option "redis"/);
    expect(() => new SubscriberStore({ redis: t.redis, keys: {} as never })).toThrow(/option "keys"/);
    expect(() => new SubscriberStore({ redis: t.redis, keys: t.keys, maxRetries: 0 })).toThrow(/option "maxRetries"/);
  });
});

describe('add', () => {
  it('adds, updates, and reports unchanged; addresses are case-insensitive', async () => {
    expect(await store.add('daily', 'Ana@Example.ORG', { name: 'Ana' })).toBe('added');
    expect(await store.add('daily', ' ana@example.org ')).toBe('unchanged');
    clock += 1000;
    expect(await store.add('daily', 'ANA@example.org', { name: 'Ana Beridze', attributes: { city: 'Tbilisi' } })).toBe('updated');
    expect(await store.add('daily', 'ana@example.org', { attributes: { city: 'Tbilisi' } })).toBe('unchanged');
    const s = await store.get('daily', 'ANA@EXAMPLE.ORG');
    expect(s).toEqual({
      email: 'ana@example.org',
      name: 'Ana Beridze',
      status: 'active',
      attributes: { city: 'Tbilisi' },
      createdAt: Date.UTC(2025, 0, 6, 8, 0, 0),
      updatedAt: Date.UTC(2025, 0, 6, 8, 0, 1),
    });
    expect(await store.countActive('daily')).toBe(1);
    expect(await store.lists()).toEqual(['daily']);
    expect(await store.hasList('daily')).toBe(true);
    expect(await store.hasList('weekly')).toBe(false);
  });

  it('merges attributes and ignores empty values instead of erasing', async () => {
    await store.add('daily', 'ana@example.org', { attributes: { city: 'Tbilisi', plan: 'pro' } });
    await store.add('daily', 'ana@example.org', { attributes: { plan: '', lang: 'ka' } });
    expect((await store.get('daily', 'ana@example.org'))?.attributes).toEqual({ city: 'Tbilisi', plan: 'pro', lang: 'ka' });
  });

  it('stores a header-injection name as one line', async () => {
    await store.add('daily', 'eve@example.org', { name: 'Eve\r\nBcc: evil@x.org' });
    const s = await store.get('daily', 'eve@example.org');
    expect(s?.name).toBe('Eve Bcc: evil@x.org');
  });

  it('throws EINPUT for a bad address or list id, writing nothing', async () => {
    const err = await store.add('daily', 'x@').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BriefError);
    expect((err as BriefError).code).toBe('EINPUT');
    expect((err as BriefError).message).toBe('"x@" is not a valid email address');
    await expect(store.add('bad}list', 'ana@example.org')).rejects.toMatchObject({ code: 'EINPUT' });
    expect(await store.lists()).toEqual([]);
  });

  it('never re-activates an unsubscribed, bounced or complained address unless resubscribe', async () => {
    for (const status of ['unsubscribed', 'bounced', 'complained'] as const) {
      const addr = `${status}@example.org`;
      await store.add('daily', addr);
      await store.setStatus('daily', addr, status);
      expect(await store.add('daily', addr, { name: 'Again' })).toBe('kept-unsubscribed');
      const kept = await store.get('daily', addr);
      expect(kept?.status).toBe(status);
      expect(kept?.name).toBeUndefined();
      expect(await store.add('daily', addr, { resubscribe: true })).toBe('updated');
      expect((await store.get('daily', addr))?.status).toBe('active');
    }
    await expectCountsExact('daily');
    expect(await store.countActive('daily')).toBe(3);
  });

  it('does not add a suppressed address as active; resubscribe adds it and lifts the suppression', async () => {
    expect(await store.suppress('Sup@Example.org', 'smtp 550 mailbox unavailable')).toBe(true);
    expect(await store.add('daily', 'sup@example.org')).toBe('suppressed');
    expect(await store.get('daily', 'sup@example.org')).toBeNull();
    expect(await store.countActive('daily')).toBe(0);

    expect(await store.add('daily', 'sup@example.org', { resubscribe: true })).toBe('added');
    expect(await store.isSuppressed('sup@example.org')).toBe(false);
    expect(await store.suppression('sup@example.org')).toBeNull();
    expect(await store.countActive('daily')).toBe(1);
  });

  it('reports an active member that got suppressed, and resubscribe lifts it', async () => {
    await store.add('daily', 'ana@example.org');
    await store.suppress('ana@example.org', 'complaint');
    expect(await store.add('daily', 'ana@example.org')).toBe('suppressed');
    expect(await store.add('daily', 'ana@example.org', { resubscribe: true })).toBe('updated');
    expect(await store.isSuppressed('ana@example.org')).toBe(false);
  });
});

describe('upsertMany', () => {
  it('records opt-outs from a status and never lets "active" undo them', async () => {
    const results = await store.upsertMany('daily', [
      { address: 'a@example.org' },
      { address: 'b@example.org', status: 'unsubscribed' },
      { address: 'c@example.org', status: 'bounced' },
    ]);
    expect(results).toEqual(['added', 'added', 'added']);
    expect(await store.counts('daily')).toEqual({ active: 1, unsubscribed: 1, bounced: 1, complained: 0, pending: 0 });
    expect(await store.upsertMany('daily', [
      { address: 'a@example.org', status: 'complained' },
      { address: 'b@example.org', status: 'active' },
    ])).toEqual(['updated', 'kept-unsubscribed']);
    expect(await store.counts('daily')).toEqual({ active: 0, unsubscribed: 1, bounced: 1, complained: 1, pending: 0 });
    await expectCountsExact('daily');
  });

  it('applies the same address twice in one call in order', async () => {
    const results = await store.upsertMany('daily', [
      { address: 'a@example.org', name: 'First' },
      { address: 'A@example.org', name: 'Second' },
    ]);
    expect(results).toEqual(['added', 'updated']);
    expect((await store.get('daily', 'a@example.org'))?.name).toBe('Second');
    expect(await store.countActive('daily')).toBe(1);
  });
});

describe('upsertMany, large and repetitive', () => {
  it('splits more than 5,000 inputs into bounded commands', async () => {
    const addrs = Array.from({ length: 12_000 }, (_, i) => `bulk${i}@example.org`);
    const results = await store.upsertMany('daily', addrs.map((address) => ({ address })));
    expect(results.filter((r) => r === 'added')).toHaveLength(12_000);
    const statuses = await store.statusMany('daily', addrs);
    expect(statuses.filter((s) => s === 'active')).toHaveLength(12_000);
    expect((await store.suppressedMany(addrs)).some(Boolean)).toBe(false);
    expect(await store.countActive('daily')).toBe(12_000);
  });

  it('does not count repeats of one address in a call as conflicts', async () => {
    const strict = new SubscriberStore({ redis: t.redis, keys: t.keys, maxRetries: 1 });
    const inputs = Array.from({ length: 10 }, (_, i) => ({ address: 'Same@example.org', name: `v${i}` }));
    const results = await strict.upsertMany('daily', inputs);
    expect(results).toEqual(['added', ...Array<string>(9).fill('updated')]);
    expect((await store.get('daily', 'same@example.org'))?.name).toBe('v9');
    expect(await store.counts('daily')).toEqual({ active: 1, unsubscribed: 0, bounced: 0, complained: 0, pending: 0 });
  });
});

describe('setStatus and remove', () => {
  it('is idempotent, returns the previous status and keeps the counters exact', async () => {
    await store.add('daily', 'a@example.org');
    await store.add('daily', 'b@example.org');
    clock += 5000;
    expect(await store.setStatus('daily', 'A@example.org', 'unsubscribed')).toBe('active');
    expect(await store.setStatus('daily', 'a@example.org', 'unsubscribed')).toBe('unsubscribed');
    expect(await store.counts('daily')).toEqual({ active: 1, unsubscribed: 1, bounced: 0, complained: 0, pending: 0 });
    expect((await store.get('daily', 'a@example.org'))?.updatedAt).toBe(clock);
    expect(await store.setStatus('daily', 'a@example.org', 'bounced')).toBe('unsubscribed');
    expect(await store.setStatus('daily', 'nobody@example.org', 'bounced')).toBeNull();
    expect(await store.get('daily', 'nobody@example.org')).toBeNull();
    expect(await store.counts('daily')).toEqual({ active: 1, unsubscribed: 0, bounced: 1, complained: 0, pending: 0 });

    expect(await store.remove('daily', 'A@EXAMPLE.ORG')).toBe(true);
    expect(await store.remove('daily', 'a@example.org')).toBe(false);
    expect(await store.remove('daily', 'not an address')).toBe(false);
    expect(await store.counts('daily')).toEqual({ active: 1, unsubscribed: 0, bounced: 0, complained: 0, pending: 0 });
    await expectCountsExact('daily');
  });

  it('rejects an unknown status', async () => {
    await expect(store.setStatus('daily', 'a@example.org', 'gone' as never)).rejects.toMatchObject({ code: 'EINPUT' });
  });

  it('keeps counters exact under concurrent writers on the same addresses', async () => {
    const addrs = Array.from({ length: 200 }, (_, i) => `user${i}@example.org`);
    await store.upsertMany('daily', addrs.map((address) => ({ address })));
    // A second connection, so the two writers really interleave at the server.
    const other = new SubscriberStore({ redis: t.redis.duplicate(), keys: t.keys });
    try {
      await Promise.all([
        ...addrs.map((a, i) => (i % 2 ? store.setStatus('daily', a, 'unsubscribed') : other.remove('daily', a))),
        other.upsertMany('daily', addrs.map((address) => ({ address, name: 'Renamed' }))),
        ...addrs.slice(0, 50).map((a) => other.setStatus('daily', a, 'bounced')),
      ]);
      await expectCountsExact('daily');
      // The unsubscribes were never undone by the concurrent upsert.
      const statuses = await store.statusMany('daily', addrs);
      statuses.forEach((s, i) => {
        if (i % 2 === 1) expect(s === 'unsubscribed' || s === 'bounced').toBe(true);
      });
    } finally {
      await other.redis.quit();
    }
  });
});

describe('compare-and-set', () => {
  it('decides again when an unsubscribe lands between the read and the write', async () => {
    await store.add('daily', 'ana@example.org', { name: 'Ana' });
    let interfere = true;
    // now() runs after the HMGET answered and before the Lua call is sent: a write queued
    // here on the same connection reaches Redis in between, like a concurrent unsubscribe.
    const racing = new SubscriberStore({
      redis: t.redis,
      keys: t.keys,
      now: () => {
        if (interfere) {
          interfere = false;
          const packed = packRecord({ status: 'unsubscribed', name: 'Ana', attributes: {}, createdAt: clock, updatedAt: clock + 1 });
          void t.redis
            .multi()
            .hset(t.keys.listMembers('daily'), 'ana@example.org', packed)
            .hincrby(t.keys.listCounts('daily'), 'active', -1)
            .hincrby(t.keys.listCounts('daily'), 'unsubscribed', 1)
            .exec();
        }
        return clock;
      },
    });
    expect(await racing.add('daily', 'ana@example.org', { name: 'Ana Renamed' })).toBe('kept-unsubscribed');
    expect(interfere).toBe(false);
    const s = await store.get('daily', 'ana@example.org');
    expect(s?.status).toBe('unsubscribed');
    expect(s?.name).toBe('Ana');
    await expectCountsExact('daily');
  });

  it('gives up after maxRetries when the record never stops changing', async () => {
    await store.add('daily', 'ana@example.org');
    let n = 0;
    const racing = new SubscriberStore({
      redis: t.redis,
      keys: t.keys,
      maxRetries: 3,
      now: () => {
        void t.redis.hset(t.keys.listMembers('daily'), 'ana@example.org', packRecord({ status: 'active', name: `v${n++}`, attributes: {}, createdAt: clock, updatedAt: clock }));
        return clock;
      },
    });
    await expect(racing.add('daily', 'ana@example.org', { name: 'Mine' })).rejects.toThrow(/gave up after 3 retries/);
  });
});

describe('reads', () => {
  it('statusMany answers in order, null for absent or invalid addresses', async () => {
    await store.add('daily', 'a@example.org');
    await store.add('daily', 'b@example.org');
    await store.setStatus('daily', 'b@example.org', 'complained');
    expect(await store.statusMany('daily', ['B@example.org', 'x@', 'c@example.org', 'a@example.org'])).toEqual([
      'complained', null, null, 'active',
    ]);
    expect(await store.statusMany('daily', [])).toEqual([]);
  });

  it('getMany returns whole records in order, null for absent or invalid addresses', async () => {
    await store.add('daily', 'a@example.org', { name: 'Ana', attributes: { plan: 'pro' } });
    const [a, none, bad] = await store.getMany('daily', ['A@Example.org', 'c@example.org', 'x@']);
    expect(a).toMatchObject({ email: 'a@example.org', name: 'Ana', status: 'active', attributes: { plan: 'pro' } });
    expect(none).toBeNull();
    expect(bad).toBeNull();
  });

  it('scan walks every subscriber of a list exactly as stored', async () => {
    const addrs = Array.from({ length: 1234 }, (_, i) => `s${i}@example.org`);
    await store.upsertMany('daily', addrs.map((address, i) => ({ address, name: `N${i}` })));
    await store.add('weekly', 'other@example.org');
    const seen = new Map<string, string | undefined>();
    let cursor = '0';
    do {
      const page = await store.scan('daily', cursor, 100);
      for (const s of page.subscribers) seen.set(s.email, s.name);
      cursor = page.cursor;
    } while (cursor !== '0');
    expect(seen.size).toBe(1234);
    expect(seen.get('s77@example.org')).toBe('N77');
    expect(seen.has('other@example.org')).toBe(false);
  });

  it('counts a list that does not exist as zero', async () => {
    expect(await store.counts('nothing')).toEqual({ active: 0, unsubscribed: 0, bounced: 0, complained: 0, pending: 0 });
    expect(await store.countActive('nothing')).toBe(0);
  });
});

describe('suppression', () => {
  it('suppresses, answers in bulk and lifts', async () => {
    expect(await store.suppress('A@Example.org', 'smtp 550\r\nX-Injected: 1')).toBe(true);
    expect(await store.suppress('a@example.org', 'again')).toBe(false);
    expect(await store.suppression('a@example.org')).toEqual({ reason: 'smtp 550 X-Injected: 1', at: clock });
    expect(await store.isSuppressed('A@EXAMPLE.ORG')).toBe(true);
    expect(await store.suppressedMany(['b@example.org', 'a@example.org', 'x@'])).toEqual([false, true, false]);
    expect(await store.suppressedMany([])).toEqual([]);
    expect(await store.unsuppress('a@example.org')).toBe(true);
    expect(await store.unsuppress('a@example.org')).toBe(false);
    expect(await store.isSuppressed('a@example.org')).toBe(false);
    await expect(store.suppress('x@', 'r')).rejects.toMatchObject({ code: 'EINPUT' });
  });
});
