// The editor-actions scenario at full size (npm run test:chaos).
import { editorActionsScenario } from './scenarios/editor-actions.js';
import { SIZES } from './harness/sizes.js';

editorActionsScenario(SIZES.full);
