/**
 * The composition root: the one place that creates Redis connections, queues, transports
 * and services and hands each its `deps`. Nothing else reads process.env or constructs its
 * own dependencies.
 */
import os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Queue, Worker, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { RedisClient } from './redis/connect.js';
import type { BriefConfig } from './config/schema.js';
import type { BriefEnv } from './config/env.js';
import { resolveConfigPath } from './config/load.js';
import { makeKeys, type Keys } from './keys.js';
import { createClient, parseRedisUrl, type RedisTarget } from './redis/connect.js';
import { readTopology, type Topology } from './redis/topology.js';
import { describeTarget } from './redis/redis-url.js';
import type { Logger } from './logger.js';
import { SubscriberStore } from './subscribers/index.js';
import { EditionStore } from './delivery/edition-store.js';
import { EditionService } from './delivery/edition-service.js';
import { MetricsStore } from './delivery/metrics-store.js';
import { RateLimiter } from './delivery/rate-limiter.js';
import { BatchSender } from './delivery/batch-sender.js';
import { createSmtpTransport } from './delivery/smtp-transport.js';
import { createOutboxTransport } from './delivery/outbox-transport.js';
import type { MailTransport } from './delivery/transport.js';
import { checkSecret } from './delivery/tokens.js';
import { VerpIndex } from './delivery/verp.js';
import { resolveWebhookSecrets, type WebhookSecrets } from './inbound/webhooks.js';
import { syncSchedules } from './delivery/schedules.js';
import {
  BATCH_QUEUE,
  EDITIONS_QUEUE,
  PURGE_JOB,
  TRANSACTIONAL_QUEUE,
  type BatchJobData,
  type PrepareJobData,
  type TransactionalJobData,
  TRANSACTIONAL_JOB,
} from './delivery/queues.js';
import { ConsentStore } from './subscribers/index.js';
import { SignupService } from './signup/signup-service.js';
import { DataRequests } from './privacy/data-requests.js';
import { TransactionalMailer } from './signup/transactional-mail.js';
import { transactionalProcessor } from '../jobs/send-transactional.js';
import { prepareEditionProcessor } from '../jobs/prepare-edition.js';
import { sendBatchProcessor } from '../jobs/send-batch.js';
import { BriefError } from './errors.js';
import { AuditLog } from './audit/index.js';
import { UserStore } from './users/index.js';
import { childProcessEngine, inProcessEngine, type CompileEngine } from './compile-engine.js';

export interface AppOptions {
  config: BriefConfig;
  env: BriefEnv;
  /** Where Redis is (after the embedded default was applied). */
  redisUrl: string;
  logger: Logger;
  /** A connection to use instead of one made from `redisUrl` (tests that watch the commands). */
  redis?: RedisClient;
  /** A transport to use instead of the one SMTP_URL or the outbox gives (tests, bench). */
  transport?: MailTransport;
  /**
   * Compile editions in a short-lived child process (long-running `brief worker`, `start`,
   * `server`), so the process that sends does not keep the compile's libraries in memory.
   * @defaultValue false: in this process
   */
  compileInChild?: boolean;
  /** Where `env:NAME` secrets of the config are read. @defaultValue process.env */
  environment?: NodeJS.ProcessEnv;
}

export interface App {
  config: BriefConfig;
  env: BriefEnv;
  /** One server, a Cluster or Sentinel: whatever REDIS_URL names (src/redis/connect.ts). */
  redis: RedisClient;
  /** What REDIS_URL points at (no connection needed). */
  redisTarget: RedisTarget;
  /** Nodes, roles and which primary holds the queues' slot, asked of Redis now. */
  topology(): Promise<Topology>;
  keys: Keys;
  logger: Logger;
  subscribers: SubscriberStore;
  editions: EditionStore;
  service: EditionService;
  /** Where editions are compiled; see AppOptions.compileInChild. */
  compileEngine: CompileEngine;
  metrics: MetricsStore;
  /** VERP token index (src/delivery/verp.ts); used when `config.bounces.domain` is set. */
  verp: VerpIndex;
  editionsQueue: Queue<PrepareJobData>;
  batchQueue: Queue<BatchJobData>;
  /** Confirmation and welcome emails, ahead of bulk batches (their own workers). */
  transactionalQueue: Queue<TransactionalJobData>;
  /** Consent records per subscription. */
  consent: ConsentStore;
  /** Signup forms and double opt-in. */
  signup: SignupService;
  /** Everything stored about an address; forgetting it. */
  dataRequests: DataRequests;
  /** Who did what: `app.audit.record({ actor, action, target, detail, ip })` (src/audit). */
  audit: AuditLog;
  /** Console accounts and their sign-in links (src/users). */
  users: UserStore;
  /** The transport from SMTP_URL, or the outbox folder; made on first use. */
  transport(): MailTransport;
  /** The link-signing secret: BRIEF_SECRET, or with the outbox default a kept local one. */
  secret(): Promise<string>;
  /** The ESP webhook secrets of `bounces.webhooks`, `env:NAME` values read (ECONFIG when unset). */
  webhookSecrets(): WebhookSecrets;
  /** Starts the BullMQ workers, the schedulers and the heartbeat. */
  startWorkers(): Promise<WorkerRuntime>;
  close(): Promise<void>;
}

export interface WorkerRuntime {
  id: string;
  /** Stops taking work, finishes and records the messages in flight, then resolves. */
  close(): Promise<void>;
}

export function createApp(opts: AppOptions): App {
  const { config, env, logger } = opts;
  const keys = makeKeys(env.prefix);
  const redisTarget = parseRedisUrl(opts.redisUrl);
  // The one connection of the process: the stores, the Lua scripts, the rate limiter, the
  // metrics and the HTTP server use it; BullMQ queues share it and duplicate it for each
  // worker's blocking connection.
  const redis = opts.redis ?? createClient(redisTarget);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const connection = redis as unknown as ConnectionOptions;
  const subscribers = new SubscriberStore({ redis, keys });
  const editions = new EditionStore({ redis, keys });
  const metrics = new MetricsStore({ redis, keys });
  const verp = new VerpIndex({ redis, keys });
  const d = config.delivery;
  // Without a listener BullMQ prints each connection error raw to stderr (a failover makes
  // dozens); as log lines they say which queue, once per event, like the connection's own.
  const queue = <T>(name: string, defaultJobOptions: DefaultJobOptions): Queue<T> => {
    const q = new Queue<T>(name, { connection, prefix: keys.queuePrefix(), defaultJobOptions });
    q.on('error', (err) => logger.warn({ queue: name, err: err.message }, 'queue connection error'));
    return q;
  };
  const retries = { attempts: d.attempts, backoff: { type: 'exponential', delay: d.backoffMs, jitter: 0.5 } };
  const editionsQueue = queue<PrepareJobData>(EDITIONS_QUEUE, {
    attempts: 5,
    backoff: { type: 'exponential', delay: 5000, jitter: 0.5 },
    removeOnComplete: { age: 7 * 86400, count: 1000 },
    removeOnFail: { age: 30 * 86400 },
  });
  const batchQueue = queue<BatchJobData>(BATCH_QUEUE, {
    ...retries,
    // Completed batch jobs are kept a day so a repeated enqueue of the same id is a no-op.
    removeOnComplete: { age: 86400, count: 50_000 },
    removeOnFail: { age: 7 * 86400 },
  });
  const transactionalQueue = queue<TransactionalJobData>(TRANSACTIONAL_QUEUE, {
    ...retries,
    // Ids only in the payload; nothing personal stays in finished jobs.
    removeOnComplete: { age: 86400, count: 10_000 },
    removeOnFail: { age: 7 * 86400 },
  });
  const consent = new ConsentStore({ redis, keys });
  const compileEngine = opts.compileInChild ? childProcessEngine : inProcessEngine;
  const service = new EditionService({
    config, redis, keys, editions, subscribers, editionsQueue, batchQueue, publicUrl: env.publicUrl, logger,
    compileEngine, metrics,
    notifyApprovers: async (editionId) => {
      await transactionalQueue.add(TRANSACTIONAL_JOB, { kind: 'approval', id: editionId }, { jobId: `approval-${editionId}` });
    },
  });

  let transport: MailTransport | undefined = opts.transport;
  const getTransport = (): MailTransport => {
    transport ??= env.smtpUrl
      ? createSmtpTransport({
          url: env.smtpUrl,
          poolSize: d.poolSize,
          dkim: config.dkim ? { ...config.dkim, privateKeyPath: resolveConfigPath(config, config.dkim.privateKeyFile) } : undefined,
        })
      : createOutboxTransport(resolveConfigPath(config, config.outboxDir));
    return transport;
  };

  let secret: Promise<string> | undefined;
  const getSecret = (): Promise<string> => {
    secret ??= resolveSecret(redis, keys, env).catch((err: unknown) => {
      secret = undefined; // a later call (once Redis answers) tries again
      throw err;
    });
    return secret;
  };

  const signup = new SignupService({ config, redis, keys, subscribers, consent, transactional: transactionalQueue, secret: getSecret, logger });

  const app: App = {
    config, env, redis, redisTarget, keys, logger,
    topology: () => readTopology(redis, redisTarget, `${keys.queuePrefix()}:${BATCH_QUEUE}`),
    subscribers, editions, service, compileEngine, metrics, verp, editionsQueue, batchQueue,
    transactionalQueue, consent, signup,
    dataRequests: new DataRequests({ config, redis, keys, subscribers, consent }),
    audit: new AuditLog({ redis, keys }),
    users: new UserStore({ redis, keys, secret: getSecret, publicUrl: env.publicUrl }),
    transport: getTransport,
    secret: getSecret,
    webhookSecrets: () => resolveWebhookSecrets(config.bounces.webhooks, opts.environment ?? process.env),
    async startWorkers(): Promise<WorkerRuntime> {
      const workerId = `${os.hostname()}-${process.pid}`;
      const sender = new BatchSender({
        config, editions, subscribers, metrics, logger,
        transport: getTransport(),
        limiter: new RateLimiter({ redis, key: keys.rateLimiter() }, { ratePerSecond: d.ratePerSecond }),
        publicUrl: env.publicUrl,
        secret: await getSecret(),
        verp: config.bounces.domain ? verp : undefined,
      });
      if (!config.bounces.domain) {
        logger.warn('bounces.domain is unset: bounces go to the From address and are not read (only a 5xx from the relay suppresses)');
      }
      let stopping = false;
      const common = {
        connection,
        prefix: keys.queuePrefix(),
        lockDuration: d.lockDurationMs,
        // A crashed worker's job is taken over only when a stalled check finds its lock gone,
        // and it takes two checks (mark, then move). BullMQ checks every 30 s by default, so
        // without this a short lockDurationMs would still leave a killed batch (or a killed
        // prepare) waiting 30-60 s; with it the take-over comes within about 2-3 lock durations.
        stalledInterval: d.lockDurationMs,
        // A batch re-run after a crash is safe (the ledger), so many crashes in a row must
        // not turn it into a failed job.
        maxStalledCount: 1000,
      };
      const prepareWorker = new Worker<PrepareJobData>(EDITIONS_QUEUE, prepareEditionProcessor({ config, service }), {
        ...common,
        concurrency: 2,
      });
      const batchWorker = new Worker<BatchJobData>(
        BATCH_QUEUE,
        sendBatchProcessor({ sender, maxAttempts: d.attempts, stopping: () => stopping }),
        { ...common, concurrency: d.concurrency },
      );
      // Its own workers: a confirmation never waits for a free send-batch slot, and it does
      // not take the bulk rate limiter's tokens (one message per signup).
      const mailer = new TransactionalMailer({
        config, redis, keys, subscribers, transport: getTransport, secret: getSecret, publicUrl: env.publicUrl, logger,
      });
      const transactionalWorker = new Worker<TransactionalJobData>(TRANSACTIONAL_QUEUE, transactionalProcessor({ mailer, signup }), {
        ...common,
        concurrency: 4,
      });
      await transactionalQueue.upsertJobScheduler('purge-signups', { every: 3600_000 }, { name: PURGE_JOB, data: { kind: 'confirm', id: '' } });
      for (const w of [prepareWorker, batchWorker, transactionalWorker]) {
        w.on('error', (err) => logger.error({ err: err.message }, 'worker error'));
        w.on('failed', (job, err) => {
          if (!job) return;
          const final = job.attemptsMade >= (job.opts.attempts ?? 1);
          logger.warn({ queue: w.name, jobId: job.id, attempt: job.attemptsMade, final, err: err.message }, 'job failed');
          const editionId = (job.data as { editionId?: string }).editionId;
          if (final && editionId) void editions.fail(editionId, `${job.name} ${job.id}: ${err.message}`);
        });
      }
      const sync = await syncSchedules(editionsQueue, config);
      // Approval steps survive in Redis as delayed jobs; each start makes sure the next is queued.
      for (const n of config.newsletters) await service.scheduleApproval(n.id);
      logger.info(
        { workerId, schedulers: sync.upserted, removed: sync.removed, transport: getTransport().description, redis: describeTarget(redisTarget) },
        'worker started',
      );
      const beat = async () => {
        await redis.hset(keys.workers(), workerId, JSON.stringify({ host: os.hostname(), pid: process.pid, seen: Date.now() }));
      };
      await beat();
      const heartbeat = setInterval(() => void beat().catch(() => {}), 5000);
      heartbeat.unref();
      return {
        id: workerId,
        async close() {
          stopping = true;
          clearInterval(heartbeat);
          await Promise.all([prepareWorker.close(), batchWorker.close(), transactionalWorker.close()]);
          await redis.hdel(keys.workers(), workerId).catch(() => {});
          logger.info({ workerId }, 'worker stopped');
        },
      };
    },
    async close() {
      await Promise.allSettled([editionsQueue.close(), batchQueue.close(), transactionalQueue.close()]);
      await transport?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  return app;
}

/**
 * The password of the console, the editor API and the dashboard: BRIEF_ADMIN_TOKEN; or, for
 * the outbox default only (no SMTP_URL: a machine trying the project, nothing mailed), a
 * local one kept in Redis, so `npm start` on a fresh machine opens a console that works.
 * With SMTP_URL set and no BRIEF_ADMIN_TOKEN, none: the admin endpoints stay off.
 */
export async function resolveAdminToken(
  redis: RedisClient,
  keys: Keys,
  env: Pick<BriefEnv, 'adminToken' | 'smtpUrl'>,
): Promise<{ token: string; local: boolean } | undefined> {
  if (env.adminToken) return { token: env.adminToken, local: false };
  if (env.smtpUrl) return undefined;
  await redis.set(keys.localAdminToken(), randomBytes(18).toString('base64url'), 'NX');
  const token = await redis.get(keys.localAdminToken());
  return token ? { token, local: true } : undefined;
}

/** Where the embedded Redis keeps its data, beside the config's outbox. */
export function embeddedRedisDir(config: BriefConfig, cwd: string): string {
  return path.resolve(cwd, '.brief', 'redis');
}

/** Names a secret without revealing it: the first 16 hex digits of a keyed hash. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update('daily-brief link secret\n').update(secret).digest('hex').slice(0, 16);
}

/**
 * The one rule every process follows for the link secret, so that what a worker signs a
 * server can check:
 * - BRIEF_SECRET set: it (at least 16 bytes). Its fingerprint is kept in Redis; a process
 *   whose BRIEF_SECRET differs from the kept one refuses to start (BRIEF_SECRET_ROTATE=1
 *   makes the new one the kept one, for a deliberate change).
 * - BRIEF_SECRET unset with SMTP_URL set: refused (real mail needs a secret of its own).
 * - Both unset (the outbox default): a local secret kept in Redis and shared by every
 *   process, unless processes on this Redis sign with a BRIEF_SECRET: then refused.
 */
export async function resolveSecret(
  redis: RedisClient,
  keys: Keys,
  env: Pick<BriefEnv, 'secret' | 'smtpUrl'> & { rotateSecret?: boolean },
): Promise<string> {
  const kept = await redis.get(keys.secretFingerprint());
  if (env.secret) {
    const s = checkSecret(env.secret);
    const mine = secretFingerprint(s);
    if (kept && kept !== mine && !env.rotateSecret) {
      throw new BriefError(
        'ESECRET',
        `BRIEF_SECRET differs from the one other processes on this Redis sign links with (fingerprint ${kept}, this one ${mine}); set the same value everywhere, or BRIEF_SECRET_ROTATE=1 to change it on purpose`,
      );
    }
    if (kept !== mine) await redis.set(keys.secretFingerprint(), mine);
    return s;
  }
  if (env.smtpUrl) throw new BriefError('ESECRET', 'BRIEF_SECRET must be set (at least 16 bytes) when SMTP_URL is set: it signs the unsubscribe links of real mail');
  if (kept) {
    throw new BriefError(
      'ESECRET',
      `BRIEF_SECRET is unset, but other processes on this Redis sign links with one (fingerprint ${kept}): set the same BRIEF_SECRET here`,
    );
  }
  // The outbox default keeps a local secret, in Redis so every process shares it.
  await redis.set(keys.localSecret(), randomBytes(32).toString('base64url'), 'NX');
  const local = await redis.get(keys.localSecret());
  if (!local) throw new BriefError('ESECRET', 'could not keep a local secret in Redis');
  return local;
}
