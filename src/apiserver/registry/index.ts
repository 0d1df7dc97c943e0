// Every built-in resource the API server serves, in discovery order (core first).
import type { ResourceStrategy } from './strategy.js';
import { coreV1Strategies } from './core/index.js';
import { groupStrategies } from './groups.js';
import { setTypeCheckedKinds } from '../admission/policy/typecheck.js';

export const allStrategies: ResourceStrategy[] = [...coreV1Strategies, ...groupStrategies];
setTypeCheckedKinds(allStrategies);
