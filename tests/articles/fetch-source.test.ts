import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefError, FeedError } from '../../src/errors.js';
import { clearFetchCache, fetchSource, loadSource } from '../../src/articles/index.js';
import { startFeedServer } from './feed-server.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');
const RSS = readFileSync(path.join(FIXTURES, 'rss.xml'));

let server: Awaited<ReturnType<typeof startFeedServer>>;
let etagHits = 0;

beforeAll(async () => {
  server = await startFeedServer({
    '/feed.xml': (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      res.end(RSS);
    },
    '/moved': (_req, res) => {
      res.statusCode = 301;
      res.setHeader('location', '/feed.xml');
      res.end();
    },
    '/etag.xml': (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        etagHits++;
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader('etag', '"v1"');
      res.setHeader('content-type', 'application/rss+xml');
      res.end(RSS);
    },
    '/error': (_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    },
    '/stall-headers': () => {
      // Never answers.
    },
    '/stall-body': (_req, res) => {
      res.setHeader('content-type', 'application/rss+xml');
      res.write('<rss version="2.0"><channel>');
      // ...and never finishes.
    },
    '/endless': (_req, res) => {
      // No Content-Length: only counting while streaming can stop this.
      res.setHeader('content-type', 'application/rss+xml');
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (res.write(chunk)) {
          if (res.destroyed) return;
        }
        res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    },
    '/big-declared': (_req, res) => {
      res.setHeader('content-length', String(50 * 1024 * 1024));
      res.write('<rss>');
    },
  });
});

afterAll(async () => {
  await server.close();
});

async function feedError(p: Promise<unknown>): Promise<FeedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FeedError);
  return err as FeedError;
}

describe('fetchSource over HTTP', () => {
  it('returns the bytes and content type, sending a daily-brief User-Agent', async () => {
    const got = await fetchSource(`${server.base}/feed.xml`);
    expect(got.bytes.equals(RSS)).toBe(true);
    expect(got.contentType).toBe('application/rss+xml; charset=utf-8');
    const request = server.requests.findLast((r) => r.url.pathname === '/feed.xml');
    expect(request?.headers['user-agent']).toMatch(/^daily-brief\/\d+\.\d+\.\d+/);
  });

  it('follows redirects and reports the final URL', async () => {
    const got = await fetchSource(`${server.base}/moved`);
    expect(got.url).toBe(`${server.base}/feed.xml`);
    expect(got.bytes.equals(RSS)).toBe(true);
  });

  it('fails a non-2xx answer with one line naming the URL and the status', async () => {
    const url = `${server.base}/missing.xml`;
    expect((await feedError(fetchSource(url))).message).toBe(`${url}: HTTP 404`);
    expect((await feedError(fetchSource(`${server.base}/error`, { label: 'feeds/main' }))).message).toBe('feeds/main: HTTP 500');
  });

  it('times out when the server does not answer, or stops half-way', async () => {
    const slow = `${server.base}/stall-headers`;
    const started = Date.now();
    expect((await feedError(fetchSource(slow, { timeoutMs: 200 }))).message).toBe(`${slow}: timed out after 0.2 s`);
    expect(Date.now() - started).toBeLessThan(5000);
    const halfway = `${server.base}/stall-body`;
    expect((await feedError(fetchSource(halfway, { timeoutMs: 300 }))).message).toBe(`${halfway}: timed out after 0.3 s`);
  });

  it('stops reading a body once it passes the size limit', async () => {
    const url = `${server.base}/endless`;
    const err = await feedError(fetchSource(url, { maxBytes: 1024 * 1024, timeoutMs: 10_000 }));
    expect(err.message).toBe(`${url}: larger than the 1 MiB limit`);
    const declared = `${server.base}/big-declared`;
    expect((await feedError(fetchSource(declared, { maxBytes: 1024 * 1024 }))).message).toBe(
      `${declared}: larger than the 1 MiB limit (50 MiB)`,
    );
  });

  it('names a connection failure', async () => {
    const closed = await startFeedServer({});
    const url = `${closed.base}/feed.xml`;
    await closed.close();
    expect((await feedError(fetchSource(url))).message).toBe(`${url}: cannot fetch: ECONNREFUSED`);
  });

  it('makes conditional GETs with the ETag it was given, reusing the body on 304', async () => {
    clearFetchCache();
    const url = `${server.base}/etag.xml`;
    const first = await fetchSource(url);
    const second = await fetchSource(url);
    expect(etagHits).toBe(1);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(server.requests.findLast((r) => r.url.pathname === '/etag.xml')?.headers['if-none-match']).toBe('"v1"');
  });

  it('checks its options once, naming the bad one', async () => {
    await expect(fetchSource(`${server.base}/feed.xml`, { timeoutMs: -1 })).rejects.toThrow(BriefError);
    await expect(fetchSource(`${server.base}/feed.xml`, { maxBytes: 0 })).rejects.toThrow(/maxBytes/);
  });

  it('loadSource fetches and parses an http feed, detecting its type', async () => {
    const result = await loadSource({ url: `${server.base}/feed.xml`, label: 'remote' });
    expect(result.type).toBe('rss');
    expect(result.articles).toHaveLength(5);
  });
});

describe('fetchSource for files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'brief-articles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file by absolute path or file: URL', async () => {
    const file = path.join(FIXTURES, 'rss.xml');
    expect((await fetchSource(file)).bytes.equals(RSS)).toBe(true);
    expect((await fetchSource(`file://${file}`)).bytes.equals(RSS)).toBe(true);
  });

  it('names a missing file, a directory and an oversized file', async () => {
    expect((await feedError(fetchSource(path.join(dir, 'nope.xml'), { label: 'feeds/nope.xml' }))).message).toBe('feeds/nope.xml: no such file');
    expect((await feedError(fetchSource(dir, { label: 'feeds' }))).message).toBe('feeds: is a directory, not a feed file');
    const big = path.join(dir, 'big.xml');
    writeFileSync(big, Buffer.alloc(2048, 'a'));
    expect((await feedError(fetchSource(big, { label: 'big.xml', maxBytes: 1024 }))).message).toBe(
      'big.xml: larger than the 1 KiB limit (2 KiB)',
    );
  });
});
