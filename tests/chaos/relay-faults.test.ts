// The relay-faults scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { relayFaultsScenario } from './scenarios/relay-faults.js';
import { SIZES } from './harness/sizes.js';

relayFaultsScenario(SIZES.ci);
