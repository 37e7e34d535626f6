import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import type { Command } from 'ioredis';
import { testApp, waitFor, FIXTURE_DATE, type TestApp } from '../helpers/app.js';
import { redisUrl } from '../helpers/redis.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { createRedis, type RedisClient } from '../../src/redis/connect.js';
import { LuaScript } from '../../src/redis/lua-script.js';
import { CAS_LUA } from '../../src/subscribers/cas-script.js';
import { RateLimiter } from '../../src/delivery/rate-limiter.js';
import type { WorkerRuntime } from '../../src/wiring.js';

/** One command as sent, with the pipeline or MULTI it went in (if any). */
interface Sent {
  name: string;
  keys: string[];
  args: string[];
  group: object | undefined;
}

/**
 * A connection that notes every command it sends. Auto-pipelining is off, so that a group
 * is a pipeline or MULTI the code asked for, not commands ioredis batched on its own.
 */
function recordingClient(): { redis: RedisClient; sent: Sent[] } {
  const redis = createRedis(redisUrl(), { enableAutoPipelining: false });
  const sent: Sent[] = [];
  const target = redis as unknown as { sendCommand(c: Command, stream?: { isPipeline?: boolean }, node?: unknown): unknown };
  const original = target.sendCommand.bind(redis);
  target.sendCommand = (command, stream, node) => {
    const keys = command.getKeys().map(String);
    sent.push({
      name: command.name.toLowerCase(),
      keys,
      args: command.args.map((a) => String(a)),
      group: stream?.isPipeline ? stream : undefined,
    });
    return original(command, stream, node);
  };
  return { redis, sent };
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const scriptSha = (c: Sent) => (c.name === 'evalsha' ? c.args[0] : c.name === 'eval' ? sha1(c.args[0] ?? '') : undefined);

/**
 * Redis Cluster runs a script, a MULTI or a multi-key command only when all its keys hash to
 * one slot (and a pipeline only on one node). This drives every store, script and the send
 * through a connection that records each command, then checks with ioredis' own slot
 * function that each one stays in one slot, so a new key layout or script cannot regress.
 */
describe('every multi-key command, MULTI, pipeline and Lua script touches one Cluster slot', () => {
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  let worker: WorkerRuntime | undefined;
  afterEach(async () => {
    await worker?.close();
    await t?.cleanup();
    await sink?.stop();
    worker = t = sink = undefined;
  });

  it('holds for subscribers, suppression, a whole send with VERP and the rate limiter, pause/resume/cancel, metrics, users and the audit log', async () => {
    const { redis, sent } = recordingClient();
    sink = new SmtpSink({}, { keepRaw: false });
    const smtpUrl = await sink.start();
    t = await testApp({
      smtpUrl,
      redis,
      delivery: { batchSize: 20, ratePerSecond: 2000 },
      config: { bounces: { domain: 'bounces.example.org' } },
    });
    const { app } = t;

    // Subscribers: compare-and-set writes, status changes, suppression and its lifting.
    await app.subscribers.upsertMany('daily', Array.from({ length: 60 }, (_, i) => ({ address: `r${i}@example.net`, name: `R ${i}` })));
    await app.subscribers.setStatus('daily', 'r1@example.net', 'unsubscribed');
    await app.subscribers.remove('daily', 'r2@example.net');
    await app.subscribers.suppress('r3@example.net', 'test');
    await app.subscribers.upsertMany('daily', [{ address: 'r3@example.net' }], { resubscribe: true });
    await app.subscribers.suppress('r4@example.net', 'test');

    // A whole send: snapshot, fan-out, claims, outcomes, batches done, VERP, the limiter.
    worker = await app.startWorkers();
    const id = `daily-${FIXTURE_DATE}`;
    // Curation (one hash per edition, written in one MULTI), read again by the freeze.
    await app.service.curate(id, { pick: ['budget-2025'], note: 'Morning.' });
    await app.service.request('daily', FIXTURE_DATE);
    const done = await waitFor(async () => {
      const s = await app.service.status(id);
      return s.state === 'sent' ? s : undefined;
    }, 30_000, 'the edition sent');
    expect(done.sent).toBe(57);
    expect(await app.verp.resolve({ edition: 'nope', recipient: 'nope' })).toBeNull();
    await new RateLimiter({ redis, key: app.keys.rateLimiter() }, { ratePerSecond: 100 }).acquire();

    // Editor actions and the failed/retry path on an edition of their own.
    const other = 'daily-2025-09-06';
    await app.editions.create(other, 'daily', '2025-09-06');
    await app.editions.transition(other, 'sending', ['scheduled'], 'startedAt');
    await app.service.pause(other);
    await app.editions.park(other, 0);
    await app.service.resume(other);
    await app.service.pause(other);
    await app.editions.park(other, 1);
    await app.service.cancel(other);
    // Hold, release and approve (the approval script answers with the state when not awaiting).
    const held = 'daily-2025-09-08';
    await app.editions.create(held, 'daily', '2025-09-08');
    await app.editions.hold(held);
    await app.editions.release(held);
    await app.editions.approve(held, 'editor');
    const third = 'daily-2025-09-07';
    await app.editions.create(third, 'daily', '2025-09-07');
    await app.editions.fail(third, 'test');
    expect(await app.editions.retryUnsent(third)).toBe(true);
    // What comes back after the relay (src/inbound): one event on a recipient's ledger entry.
    expect(await app.editions.recordInbound(id, 'r5@example.net', 'dsn:test', 'hard:5.1.1', 'bounces')).toBe(true);
    await app.metrics.read();
    // Console accounts (a sign-in link used once, a reset, a removal) and the audit log.
    const { link } = await app.users.add('ed@example.org', 'editor');
    await app.users.setPassword(link.split('/').pop()!, 'a long enough password');
    expect(await app.users.verify('ed@example.org', 'a long enough password')).toBeDefined();
    await app.users.reset('ed@example.org');
    await app.users.remove('ed@example.org');
    await app.audit.record({ actor: 'token', action: 'user-remove', target: 'ed@example.org', ip: '127.0.0.1' });
    await app.audit.list({ since: new Date(0) });
    await worker.close();
    worker = undefined;

    // Each multi-key command in one slot.
    const crossSlot = sent.filter((c) => c.keys.length > 1 && calculateSlot.generateMulti(c.keys) < 0);
    expect(crossSlot.map((c) => `${c.name} ${c.keys.join(' ')}`)).toEqual([]);

    // Each MULTI and pipeline in one slot.
    const groups = new Map<object, Sent[]>();
    for (const c of sent) if (c.group) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
    expect(groups.size, 'the MULTIs and pipelines were exercised').toBeGreaterThanOrEqual(3);
    const badGroups = [...groups.values()]
      .map((cs) => cs.flatMap((c) => c.keys))
      .filter((keys) => keys.length > 0 && calculateSlot.generateMulti(keys) < 0);
    expect(badGroups).toEqual([]);

    // The snapshot script builds its batch keys from ARGV[1]: they must share the edition's slot.
    const append = LuaScript.all.find((s) => s.name === 'append')!;
    const appends = sent.filter((c) => scriptSha(c) === append.sha);
    expect(appends.length).toBeGreaterThan(0);
    for (const c of appends) {
      const batchPrefix = c.args[1 + c.keys.length]!;
      expect(calculateSlot(`${batchPrefix}0`), batchPrefix).toBe(calculateSlot(c.keys[0]!));
    }

    // Every script the project defines ran at least once above, with its keys in one slot.
    const seen = new Set(sent.map(scriptSha).filter(Boolean));
    const scripts = [...LuaScript.all.map((s) => ({ name: s.name, sha: s.sha })), { name: 'subscribers-cas', sha: sha1(CAS_LUA) }];
    expect(scripts.filter((s) => !seen.has(s.sha)).map((s) => s.name)).toEqual([]);
    for (const s of scripts) {
      const runs = sent.filter((c) => scriptSha(c) === s.sha);
      expect(runs.every((c) => c.keys.length > 0 && calculateSlot.generateMulti(c.keys) >= 0), s.name).toBe(true);
    }

    // And the BullMQ keys (shared connection) all live in the queues' one slot.
    const queueSlot = calculateSlot(`${app.keys.queuePrefix()}:send-batch`);
    const queueKeys = sent.flatMap((c) => c.keys).filter((k) => k.startsWith(`${app.keys.queuePrefix()}:`));
    expect(queueKeys.length).toBeGreaterThan(0);
    expect(queueKeys.filter((k) => calculateSlot(k) !== queueSlot)).toEqual([]);
  });
});
