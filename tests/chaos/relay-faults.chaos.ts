// The relay-faults scenario at full size (npm run test:chaos).
import { relayFaultsScenario } from './scenarios/relay-faults.js';
import { SIZES } from './harness/sizes.js';

relayFaultsScenario(SIZES.full);
