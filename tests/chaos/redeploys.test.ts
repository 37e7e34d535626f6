// The redeploys scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { redeployScenario } from './scenarios/redeploys.js';
import { SIZES } from './harness/sizes.js';

redeployScenario(SIZES.ci);
