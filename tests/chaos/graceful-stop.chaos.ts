// The graceful-stop scenario at full size (npm run test:chaos).
import { gracefulStopScenario } from './scenarios/graceful-stop.js';
import { SIZES } from './harness/sizes.js';

gracefulStopScenario(SIZES.full);
