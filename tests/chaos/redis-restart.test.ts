// The redis-restart scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { redisRestartScenario } from './scenarios/redis-restart.js';
import { SIZES } from './harness/sizes.js';

redisRestartScenario(SIZES.ci);
