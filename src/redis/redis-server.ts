import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * Starting a redis-server of our own: the embedded default of `brief start`, the tests'
 * throwaway servers, the benchmark's, and the chaos suite's restartable one all use this.
 */

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const { port: got } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(got));
    });
  });
}

/**
 * A port nobody listens on now. `clusterBus`: one whose cluster bus port (the port + 10000,
 * which a `--cluster-enabled yes` node also binds) is free too and at most 65535; without
 * that check a node could fail to start, or clash with a neighbour's bus.
 */
export async function freePort(opts: { clusterBus?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tryListen(0);
    if (port === undefined) continue;
    if (!opts.clusterBus) return port;
    if (port + 10_000 <= 65_535 && (await tryListen(port + 10_000)) !== undefined) return port;
  }
  throw new Error(opts.clusterBus ? 'no free port with a free cluster bus port (port + 10000) on 127.0.0.1' : 'no free port on 127.0.0.1');
}

/**
 * Resolves once a redis-server answers PING with PONG (not LOADING) on `port`; with `pid`,
 * only once the server that answers is that process (`INFO server`'s process_id), so a
 * server someone else started on the same port between our port check and our start is
 * never taken for ours.
 */
export async function waitForPong(port: number, timeoutMs: number, gone?: () => boolean, pid?: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(500, () => done(false));
      s.once('connect', () => s.write(pid === undefined ? 'PING\r\n' : 'PING\r\nINFO server\r\n'));
      s.on('data', (c) => {
        buf += c.toString();
        if (!buf.includes('\r\n')) return;
        if (!buf.startsWith('+PONG')) return done(false);
        if (pid === undefined) return done(true);
        const m = /\r\nprocess_id:(\d+)\r\n/.exec(buf);
        if (m) done(Number(m[1]) === pid);
        else if (buf.length > 64 * 1024) done(false);
      });
      s.once('error', () => done(false));
    });
    if (ok) return;
    if (gone?.()) throw new Error(`redis-server on ${port} exited before it answered (is the port taken?)`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RedisServerOptions {
  port: number;
  /** Its working folder (AOF and log files). */
  dir: string;
  /** @defaultValue false */
  appendonly?: boolean;
  /** @defaultValue "everysec" */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** A log file name inside `dir`; none when unset. */
  logfile?: string;
  /** @defaultValue 10000 */
  startTimeoutMs?: number;
  /** More `--name value` arguments (cluster mode, replicaof…). */
  extraArgs?: string[];
  /** A config file to start from (Sentinel rewrites its own; given before the arguments). */
  configFile?: string;
  /** Run as a Sentinel (`redis-server FILE --sentinel`): needs `configFile`. */
  sentinel?: boolean;
}

export interface RedisServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGTERM (Redis flushes its AOF first) and wait for the exit; SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Spawns redis-server on 127.0.0.1 with no RDB snapshots and `noeviction`, and waits for PONG. */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServer> {
  const args = [
    ...(opts.configFile ? [opts.configFile] : []),
    ...(opts.sentinel ? ['--sentinel'] : []),
    '--port', String(opts.port), '--bind', '127.0.0.1', '--dir', opts.dir, '--save', '',
    '--appendonly', opts.appendonly ? 'yes' : 'no', '--appendfsync', opts.appendfsync ?? 'everysec',
    // Eviction would silently drop ledger or queue keys under memory pressure.
    '--maxmemory-policy', 'noeviction',
  ];
  if (opts.sentinel) {
    // A Sentinel refuses the server's persistence and memory options.
    args.splice(args.indexOf('--save'), args.length);
  }
  if (opts.logfile) args.push('--logfile', opts.logfile);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  try {
    await waitForPong(opts.port, opts.startTimeoutMs ?? 10_000, () => spawnError !== undefined || child.exitCode !== null, child.pid);
  } catch (err) {
    await stop();
    if (spawnError) throw new Error(`cannot start redis-server (is it installed?): ${spawnError.message}`);
    throw err;
  }
  return { url: `redis://127.0.0.1:${opts.port}`, port: opts.port, child, stop };
}
