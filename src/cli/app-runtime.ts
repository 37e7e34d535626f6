import type { OwnedContext } from './make-context.js';
import type { App } from '../wiring.js';
import type { EmbeddedRedis } from '../redis/embedded.js';

export interface RuntimeOptions {
  /** Start a private redis-server when REDIS_URL is unset and nothing answers on 6379 (start/worker). */
  embedded?: boolean;
  /** Structured logs on stderr (long-running commands); one-shot commands stay quiet. */
  logs?: boolean;
  /** Compile editions in a child process (long-running commands). */
  compileInChild?: boolean;
  /**
   * The command sends mail or serves signed links (start, worker, server, send, test-send):
   * check PUBLIC_URL and resolve the link secret before anything starts, so a process that
   * cannot make or check working links refuses with one line instead of reporting ready.
   */
  links?: boolean;
}

export interface Runtime {
  app: App;
  embedded?: EmbeddedRedis;
  close(): Promise<void>;
}

/** Builds the App for a command, applying the embedded-Redis default where asked. */
export async function openRuntime(ctx: OwnedContext, opts: RuntimeOptions = {}): Promise<Runtime> {
  const config = ctx.config();
  if (opts.links) (await import('../config/env.js')).checkPublicUrl(ctx.env);
  // Loaded here, not at the top: BullMQ, mjml and the rest take seconds to load, which
  // `brief --help`, a config error or `brief subscribers count` should not wait for.
  const [{ createApp, embeddedRedisDir }, { createLogger, silentLogger }, { DEFAULT_REDIS_URL, redisAnswers }, { startEmbeddedRedis }] =
    await Promise.all([import('../wiring.js'), import('../logger.js'), import('../redis/connect.js'), import('../redis/embedded.js')]);
  let redisUrl = ctx.env.redisUrl ?? DEFAULT_REDIS_URL;
  let embedded: EmbeddedRedis | undefined;
  if (!ctx.env.redisUrl && opts.embedded && !(await redisAnswers(redisUrl))) {
    const dir = embeddedRedisDir(config, process.cwd());
    embedded = await startEmbeddedRedis(dir);
    redisUrl = embedded.url;
    ctx.warn(`no Redis at 127.0.0.1:6379: started a private redis-server (data in ${dir}); it stops when this process does`);
  }
  ctx.useRedisUrl(redisUrl);
  // Fail with one line now if Redis is not there, rather than hang in BullMQ's reconnects.
  await ctx.redis();
  const logger = opts.logs ? createLogger({ level: ctx.env.logLevel, format: ctx.env.logFormat }) : silentLogger();
  const app = createApp({ config, env: ctx.env, redisUrl, logger, compileInChild: opts.compileInChild });
  if (opts.links) {
    try {
      await app.secret();
    } catch (err) {
      await app.close();
      await ctx.close();
      await embedded?.stop();
      throw err;
    }
  }
  return {
    app,
    embedded,
    async close() {
      await app.close();
      await ctx.close();
      await embedded?.stop();
    },
  };
}
