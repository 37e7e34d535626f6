// The crash scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { crashScenario } from './scenarios/crash.js';
import { SIZES } from './harness/sizes.js';

crashScenario(SIZES.ci);
