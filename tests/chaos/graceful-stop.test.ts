// The graceful-stop scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { gracefulStopScenario } from './scenarios/graceful-stop.js';
import { SIZES } from './harness/sizes.js';

gracefulStopScenario(SIZES.ci);
