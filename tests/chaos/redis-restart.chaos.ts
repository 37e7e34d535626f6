// The redis-restart scenario at full size (npm run test:chaos).
import { redisRestartScenario } from './scenarios/redis-restart.js';
import { SIZES } from './harness/sizes.js';

redisRestartScenario(SIZES.full);
