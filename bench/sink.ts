/**
 * An SMTP sink for the benchmark, run as its own process so that it never shares an event
 * loop with the sender it measures: `node dist/bench/sink.js`.
 *
 * It listens on 127.0.0.1 (a free port), takes any sender and recipient without auth or
 * TLS, and drains each DATA stream without parsing it. It counts what it accepted.
 *
 * Protocol (one JSON object per line on stdout):
 * - on start: `{"port":N}`
 * - a line `stats` on stdin: the counts (`SinkStats`)
 * - a line `reset` on stdin: zero the counts, then the (zeroed) counts
 * - SIGTERM or the end of stdin: the counts, then exit 0
 */
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkStats {
  /** Messages whose DATA was accepted (250). */
  messages: number;
  /** Bytes of DATA accepted (the message as the client sent it, dot-unstuffed). */
  bytes: number;
  /** SMTP connections opened since the last reset. */
  connections: number;
  /** Epoch ms of the first and the last accepted message (0 when none). */
  firstAt: number;
  lastAt: number;
  /** CPU ms (user + system) the sink spent since the last reset: its share of the machine. */
  cpuMs: number;
  /** The sink process's own peak RSS in bytes. */
  peakRss: number;
}

const stats: SinkStats = { messages: 0, bytes: 0, connections: 0, firstAt: 0, lastAt: 0, cpuMs: 0, peakRss: 0 };
let cpuAtReset = process.cpuUsage();

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  // A reverse DNS lookup per connection would measure the resolver, not the sender.
  disableReverseLookup: true,
  logger: false,
  // Senders keep their connections open for the whole run; a pool never waits on the sink.
  maxClients: 1000,
  socketTimeout: 120_000,
  onConnect(_session, callback) {
    stats.connections++;
    callback();
  },
  onData(stream, _session, callback) {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      const now = Date.now();
      stats.messages++;
      stats.bytes += bytes;
      if (!stats.firstAt) stats.firstAt = now;
      stats.lastAt = now;
      callback(null, 'OK queued');
    });
  },
});
server.on('error', (err) => process.stderr.write(`sink: ${err.message}\n`));

function report(): void {
  const cpu = process.cpuUsage(cpuAtReset);
  stats.cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  stats.peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(stats) + '\n');
}

let closing = false;
function shutdown(): void {
  if (closing) return;
  closing = true;
  report();
  // Pooled senders may still hold connections; do not wait for them to quit.
  server.close();
  setTimeout(() => process.exit(0), 50).unref();
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as AddressInfo;
  process.stdout.write(JSON.stringify({ port }) + '\n');
});

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'stats') report();
  else if (cmd === 'reset') {
    Object.assign(stats, { messages: 0, bytes: 0, connections: 0, firstAt: 0, lastAt: 0 });
    cpuAtReset = process.cpuUsage();
    report();
  }
});
// The parent died or closed our stdin: do not linger as an orphan holding a port.
lines.on('close', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
