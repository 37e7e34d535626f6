/**
 * How big each reliability scenario is. The same scenario code runs at two sizes: `ci`
 * (tests/chaos/*.test.ts, inside `npm test`, a couple of minutes in all) and `full`
 * (tests/chaos/*.chaos.ts, `npm run test:chaos`).
 */
export interface ChaosSize {
  name: 'ci' | 'full';
  /** Crash: recipients, SIGKILLs of the worker process, and the lock duration. */
  crash: { recipients: number; kills: number; lockDurationMs: number };
  /** Graceful stop: recipients and how many SIGTERMs (each followed by a restart). */
  graceful: { recipients: number; stops: number };
  /** Relay faults: recipients (one in ten of each fault kind). */
  relay: { recipients: number };
  /** Redis restart: recipients and restarts of the private redis-server. */
  redis: { recipients: number; restarts: number };
  /** Editor actions: recipients, and pause/resume cycles before the send may finish. */
  editor: { recipients: number; pauseCycles: number; concurrentRequests: number; snapshotRecipients: number };
  /** Redeploys: worker processes started. */
  redeploy: { starts: number };
  /** Multiplies the time bounds (a loaded CI machine runs other test files at the same time). */
  slack: number;
}

export const SIZES: Record<ChaosSize['name'], ChaosSize> = {
  ci: {
    name: 'ci',
    crash: { recipients: 600, kills: 3, lockDurationMs: 2000 },
    graceful: { recipients: 240, stops: 1 },
    relay: { recipients: 200 },
    redis: { recipients: 400, restarts: 1 },
    editor: { recipients: 300, pauseCycles: 2, concurrentRequests: 3, snapshotRecipients: 2500 },
    redeploy: { starts: 5 },
    slack: 2,
  },
  full: {
    name: 'full',
    crash: { recipients: 3000, kills: 12, lockDurationMs: 1500 },
    graceful: { recipients: 900, stops: 3 },
    relay: { recipients: 1000 },
    redis: { recipients: 2000, restarts: 2 },
    editor: { recipients: 1200, pauseCycles: 5, concurrentRequests: 6, snapshotRecipients: 10_000 },
    redeploy: { starts: 5 },
    slack: 1,
  },
};
