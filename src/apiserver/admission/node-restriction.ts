// NodeRestriction: limits what kubelets (users system:node:<name>) write to their own node's
// objects. The rules are in auth/node/restriction.ts.
import { storeObjects } from '../auth/node/store-source.js';
import { checkNodeWrite } from '../auth/node/restriction.js';
import type { AdmissionDeps, AdmissionPlugin } from './types.js';

export function nodeRestriction(deps: AdmissionDeps): AdmissionPlugin {
  const objects = storeObjects(deps.store);
  return {
    name: 'NodeRestriction',
    // upstream runs it in the mutating phase, before validation
    admit: (req) => checkNodeWrite(req, objects),
  };
}
