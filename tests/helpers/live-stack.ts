import { afterEach } from 'vitest';
import type { TestApp } from './app.js';
import type { SmtpSink } from './smtp-sink.js';
import type { WorkerRuntime } from '../../src/wiring.js';
import type { HttpServer } from '../../src/http/server.js';

/** What a delivery or HTTP test starts: the app on its own prefix, a sink, workers, a server. */
export interface LiveStack {
  t?: TestApp;
  sink?: SmtpSink;
  worker?: WorkerRuntime;
  http?: HttpServer;
}

/**
 * A holder for the calling file's stack, closed after each test in the order that loses
 * nothing (server, workers, the app and its prefix, then the sink) and emptied for the next.
 */
export function liveStack(): LiveStack {
  const s: LiveStack = {};
  afterEach(async () => {
    await s.http?.close();
    await s.worker?.close();
    await s.t?.cleanup();
    await s.sink?.stop();
    s.http = s.worker = s.t = s.sink = undefined;
  });
  return s;
}
