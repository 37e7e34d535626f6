// The editor-actions scenario at CI size (npm test); `npm run test:chaos` runs it at full size.
import { editorActionsScenario } from './scenarios/editor-actions.js';
import { SIZES } from './harness/sizes.js';

editorActionsScenario(SIZES.ci);
