import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { App } from '../wiring.js';
import type { MetricName } from '../delivery/metrics-store.js';
import { editionProgress } from '../edition/index.js';
import { liveWorkers } from './live-workers.js';

/** The BullMQ job states shown per queue. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** How many of a newsletter's newest editions are looked at for a running send. */
const RECENT_EDITIONS = 10;

/** Everything a scrape shows, read from Redis, so every server instance tells the same (cluster-wide) truth. */
export interface MetricsSnapshot {
  newsletters: string[];
  counters: Array<{ name: MetricName; newsletter: string; value: number; source?: string }>;
  queues: Array<{ queue: string; state: string; count: number }>;
  progress: Array<{ newsletter: string; edition: string; ratio: number }>;
  workers: number;
  /** Editions in state awaiting-approval, per newsletter (0 for every newsletter without). */
  awaitingApproval?: Array<{ newsletter: string; count: number }>;
  /** Every configured source, so brief_feed_errors_total shows each at 0 before its first failure. */
  feedSources?: Array<{ newsletter: string; source: string }>;
}

export async function readMetricsSnapshot(app: App, now = Date.now()): Promise<MetricsSnapshot> {
  const newsletters = app.config.newsletters.map((n) => n.id);
  const [counters, queueCounts, heartbeats, editions] = await Promise.all([
    app.metrics.read(),
    Promise.all(
      [app.editionsQueue, app.batchQueue, app.transactionalQueue].map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...QUEUE_STATES) })),
    ),
    app.redis.hgetall(app.keys.workers()),
    Promise.all(newsletters.map(async (n) => Promise.all((await app.editions.ids(n, RECENT_EDITIONS)).map((id) => app.editions.get(id))))),
  ]);
  const progress: MetricsSnapshot['progress'] = [];
  const awaiting = new Map<string, number>(newsletters.map((n) => [n, 0]));
  for (const s of editions.flat()) {
    if (s?.state === 'awaiting-approval') awaiting.set(s.newsletter, (awaiting.get(s.newsletter) ?? 0) + 1);
    if (!s || (s.state !== 'sending' && s.state !== 'paused')) continue;
    const p = editionProgress({ ...s, startedAt: undefined, now });
    progress.push({ newsletter: s.newsletter, edition: s.id, ratio: s.total === 0 ? 0 : p.done / s.total });
  }
  return {
    newsletters,
    counters,
    queues: queueCounts.flatMap(({ queue, counts }) => QUEUE_STATES.map((state) => ({ queue, state, count: counts[state] ?? 0 }))),
    progress,
    awaitingApproval: [...awaiting].map(([newsletter, count]) => ({ newsletter, count })),
    workers: liveWorkers(heartbeats, now).length,
    feedSources: app.config.newsletters.flatMap((n) => n.sources.map((src) => ({ newsletter: n.id, source: src.name ?? src.url }))),
  };
}

/**
 * The Prometheus text of a snapshot. A fresh registry per scrape: the values are read, not
 * accumulated here, and two concurrent scrapes must not reset each other's values half-way.
 */
export async function renderMetrics(s: MetricsSnapshot, processRegistry?: Registry): Promise<{ text: string; contentType: string }> {
  const registry = new Registry();
  const registers = [registry];
  const perNewsletter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames: ['newsletter', ...labelNames], registers });
  const sent = perNewsletter('brief_emails_sent_total', 'Messages accepted by the SMTP relay');
  const failed = perNewsletter('brief_emails_failed_total', 'SMTP failures: temporary (4xx, connection; retried) and permanent (5xx)', ['class']);
  const suppressed = perNewsletter('brief_emails_suppressed_total', 'Addresses suppressed after a 5xx reply');
  const unsubscribes = perNewsletter('brief_unsubscribes_total', 'Unsubscribes through links in the emails');
  const feedErrors = perNewsletter('brief_feed_errors_total', 'Sources that failed to read when an edition was compiled', ['source']);
  const bounces = perNewsletter('brief_bounces_total', 'Bounces read after the relay accepted (DSNs, ESP webhooks)', ['kind']);
  const complaints = perNewsletter('brief_complaints_total', 'Complaints (ARF feedback reports, ESP webhooks)');
  // Every configured newsletter shows, at 0 before its first send, so rate() has a start.
  for (const newsletter of s.newsletters) {
    sent.inc({ newsletter }, 0);
    failed.inc({ newsletter, class: 'temporary' }, 0);
    failed.inc({ newsletter, class: 'permanent' }, 0);
    suppressed.inc({ newsletter }, 0);
    unsubscribes.inc({ newsletter }, 0);
    bounces.inc({ newsletter, kind: 'hard' }, 0);
    bounces.inc({ newsletter, kind: 'soft' }, 0);
    complaints.inc({ newsletter }, 0);
  }
  for (const { name, newsletter, value } of s.counters) {
    if (!Number.isFinite(value) || value < 0) continue;
    if (name === 'sent') sent.inc({ newsletter }, value);
    else if (name === 'failed_temporary') failed.inc({ newsletter, class: 'temporary' }, value);
    else if (name === 'failed_permanent') failed.inc({ newsletter, class: 'permanent' }, value);
    else if (name === 'suppressed') suppressed.inc({ newsletter }, value);
    else if (name === 'unsubscribes') unsubscribes.inc({ newsletter }, value);
    else if (name === 'bounces_hard') bounces.inc({ newsletter, kind: 'hard' }, value);
    else if (name === 'bounces_soft') bounces.inc({ newsletter, kind: 'soft' }, value);
    else if (name === 'complaints') complaints.inc({ newsletter }, value);
  }
  for (const { newsletter, source } of s.feedSources ?? []) feedErrors.inc({ newsletter, source }, 0);
  for (const { name, newsletter, value, source } of s.counters) {
    if (name === 'feed_errors' && source !== undefined && Number.isFinite(value) && value >= 0) feedErrors.inc({ newsletter, source }, value);
  }
  const queueJobs = new Gauge({ name: 'brief_queue_jobs', help: 'BullMQ jobs per queue and state', labelNames: ['queue', 'state'], registers });
  for (const q of s.queues) queueJobs.set({ queue: q.queue, state: q.state }, q.count);
  const progress = new Gauge({
    name: 'brief_edition_progress',
    help: 'Share of the recipients settled (sent, failed, suppressed or skipped) of editions sending or paused, 0 to 1',
    labelNames: ['newsletter', 'edition'],
    registers,
  });
  for (const p of s.progress) progress.set({ newsletter: p.newsletter, edition: p.edition }, p.ratio);
  const awaiting = new Gauge({
    name: 'brief_editions_awaiting_approval',
    help: 'Editions compiled for review and not yet approved (they are not sent until approved)',
    labelNames: ['newsletter'],
    registers,
  });
  for (const a of s.awaitingApproval ?? []) awaiting.set({ newsletter: a.newsletter }, a.count);
  new Gauge({ name: 'brief_workers', help: 'Workers with a heartbeat in the last 30 s', registers }).set(s.workers);
  const out = processRegistry ? Registry.merge([processRegistry, registry]) : registry;
  return { text: await out.metrics(), contentType: out.contentType };
}

/** Node process metrics (CPU, memory, event loop) of this server, kept across scrapes. */
export function processMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
