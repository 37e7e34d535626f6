// The redeploys scenario at full size (npm run test:chaos).
import { redeployScenario } from './scenarios/redeploys.js';
import { SIZES } from './harness/sizes.js';

redeployScenario(SIZES.full);
