// The crash scenario at full size (npm run test:chaos).
import { crashScenario } from './scenarios/crash.js';
import { SIZES } from './harness/sizes.js';

crashScenario(SIZES.full);
