// Failover mid-send against the topology `npm run test:cluster` is running now
// (BRIEF_TEST_TOPOLOGY); each test starts a fresh Cluster or Sentinel set of its own to kill.
// On a Cluster, the edition's keys and the queues live on different primaries: each is killed
// in its own test. With Sentinel there is one primary for both.
import { failoverScenario } from './scenarios/failover.js';

const kind = process.env.BRIEF_TEST_TOPOLOGY === 'sentinel' ? 'sentinel' : 'cluster';
const size = { recipients: Number(process.env.FAILOVER_RECIPIENTS ?? 5000), slack: 1 };
failoverScenario(kind, size, 'queues');
if (kind === 'cluster') failoverScenario(kind, size, 'edition');
