// Failover mid-send against the topology `npm run test:cluster` is running now
// (BRIEF_TEST_TOPOLOGY); the scenario starts its own fresh Cluster or Sentinel set to kill.
import { failoverScenario } from './scenarios/failover.js';

const kind = process.env.BRIEF_TEST_TOPOLOGY === 'sentinel' ? 'sentinel' : 'cluster';
failoverScenario(kind, { recipients: Number(process.env.FAILOVER_RECIPIENTS ?? 5000), slack: 1 });
