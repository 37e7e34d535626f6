import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BriefError, FeedError } from '../errors.js';
import { packagePath } from '../paths.js';
import type { FetchOptions } from './types.js';

export interface FetchSourceOptions extends Pick<FetchOptions, 'timeoutMs' | 'maxBytes' | 'userAgent'> {
  /** Names the source in errors. @defaultValue the url */
  label?: string;
}

export interface FetchedSource {
  /** The URL after redirects (http), or the file path. */
  url: string;
  bytes: Buffer;
  contentType?: string;
  /** Response headers (http only; empty for files). */
  headers: Headers;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

let defaultUserAgent: string | undefined;
function userAgent(): string {
  if (!defaultUserAgent) {
    let version = '0.0.0';
    try {
      version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string }).version ?? version;
    } catch {
      // A missing package.json must not stop a fetch; the version is only a courtesy.
    }
    defaultUserAgent = `daily-brief/${version} (+https://github.com/daily-brief)`;
  }
  return defaultUserAgent;
}

interface CachedResponse {
  etag?: string;
  lastModified?: string;
  fetched: FetchedSource;
}

/**
 * Validators and bodies of earlier responses, per URL, for conditional GETs: a feed that
 * has not changed since the last edition costs the newsroom's server a 304. Bounded so a
 * long-running worker that reads many feeds does not keep them all.
 */
const conditionalCache = new Map<string, CachedResponse>();
const CONDITIONAL_CACHE_LIMIT = 64;

/** Forgets the conditional-GET cache (for tests, or to force full refetches). */
export function clearFetchCache(): void {
  conditionalCache.clear();
}

/**
 * Reads a feed from an absolute file path or an http(s) URL, with a time limit and a size
 * limit (enforced while the body streams in, so an endless response costs at most
 * `maxBytes`). Every failure is a one-line FeedError naming the source.
 */
export async function fetchSource(url: string, opts: FetchSourceOptions = {}): Promise<FetchedSource> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new BriefError('EINPUT', `timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`);
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new BriefError('EINPUT', `maxBytes must be a positive integer, not ${maxBytes}`);
  const label = opts.label ?? url;

  if (/^https?:\/\//i.test(url)) return fetchHttp(url, label, timeoutMs, maxBytes, opts.userAgent ?? userAgent());
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  return readLocalFile(file, label, maxBytes);
}

async function readLocalFile(file: string, label: string, maxBytes: number): Promise<FetchedSource> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new FeedError(label, 'is a directory, not a feed file');
    if (info.size > maxBytes) throw new FeedError(label, `larger than the ${formatBytes(maxBytes)} limit (${formatBytes(info.size)})`);
    // Read at most maxBytes + 1 even if the file grew since stat, so the limit holds.
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > maxBytes) throw new FeedError(label, `larger than the ${formatBytes(maxBytes)} limit`);
      return { url: file, bytes: buffer.subarray(0, bytesRead), headers: new Headers() };
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof FeedError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new FeedError(label, reason, { cause: err });
  }
}

async function fetchHttp(url: string, label: string, timeoutMs: number, maxBytes: number, agent: string): Promise<FetchedSource> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const stop = new AbortController();
  const signal = AbortSignal.any([timeout, stop.signal]);
  const cached = conditionalCache.get(url);
  const headers: Record<string, string> = {
    'user-agent': agent,
    accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
  };
  if (cached?.etag) headers['if-none-match'] = cached.etag;
  if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;

  try {
    const res = await fetch(url, { headers, signal, redirect: 'follow' });
    if (res.status === 304 && cached) {
      await res.body?.cancel();
      return cached.fetched;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new FeedError(label, `HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (declared > maxBytes) {
      stop.abort();
      throw new FeedError(label, `larger than the ${formatBytes(maxBytes)} limit (${formatBytes(declared)})`);
    }
    const bytes = await readCapped(res, maxBytes, () => {
      stop.abort();
      return new FeedError(label, `larger than the ${formatBytes(maxBytes)} limit`);
    });
    const contentType = res.headers.get('content-type') ?? undefined;
    const fetched: FetchedSource = { url: res.url || url, bytes, ...(contentType ? { contentType } : {}), headers: res.headers };
    remember(url, res.headers, fetched);
    return fetched;
  } catch (err) {
    if (err instanceof FeedError) throw err;
    if (timeout.aborted) throw new FeedError(label, `timed out after ${formatSeconds(timeoutMs)}`, { cause: err });
    throw new FeedError(label, `cannot fetch: ${networkReason(err)}`, { cause: err });
  }
}

async function readCapped(res: Response, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function remember(url: string, headers: Headers, fetched: FetchedSource): void {
  const etag = headers.get('etag') ?? undefined;
  const lastModified = headers.get('last-modified') ?? undefined;
  conditionalCache.delete(url);
  if (!etag && !lastModified) return;
  if (conditionalCache.size >= CONDITIONAL_CACHE_LIMIT) {
    const oldest = conditionalCache.keys().next().value;
    if (oldest !== undefined) conditionalCache.delete(oldest);
  }
  conditionalCache.set(url, { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), fetched });
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message.split('\n')[0] ?? cause.message;
  return (err as Error).message?.split('\n')[0] ?? String(err);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${+(ms / 1000).toFixed(2)} s`;
}
