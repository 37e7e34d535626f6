import { afterEach } from 'vitest';
import { SmtpSink, type SinkFaults } from '../../helpers/smtp-sink.js';
import { chaosEnv, type ChaosEnv, type ChaosEnvOptions } from './chaos-env.js';

/**
 * What a scenario's test starts (its chaos env, and the relay its workers send to), torn
 * down after each test. Call once in a `describe`.
 */
export function chaosFixture() {
  let env: ChaosEnv | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await env?.cleanup();
    await sink?.stop();
    env = undefined;
    sink = undefined;
  });
  return {
    /** A started relay with these faults (envelopes and headers kept, not bodies), and an env whose workers send to it. */
    async withRelay(faults: SinkFaults, opts: Omit<ChaosEnvOptions, 'smtpUrl'> = {}): Promise<{ e: ChaosEnv; s: SmtpSink }> {
      sink = new SmtpSink(faults, { keepRaw: false });
      await sink.start();
      env = await chaosEnv({ ...opts, smtpUrl: sink.url });
      return { e: env, s: sink };
    },
    /** An env without a relay of the test's own. */
    async env(opts: ChaosEnvOptions = {}): Promise<ChaosEnv> {
      env = await chaosEnv(opts);
      return env;
    },
  };
}
