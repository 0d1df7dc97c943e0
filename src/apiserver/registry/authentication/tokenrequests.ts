// TokenRequest (authentication.k8s.io/v1), the body of serviceaccounts/<name>/token. Not a
// resource of its own (discovery lists it as the subresource's kind), so this description is
// not in groups.ts: the token handler decodes and checks request bodies with it.
import type { ResourceStrategy } from '../strategy.js';

export const tokenRequestKind: ResourceStrategy = {
  group: 'authentication.k8s.io',
  version: 'v1',
  resource: 'tokenrequests',
  kind: 'TokenRequest',
  namespaced: true,
  verbs: ['create'],
  definition: 'io.k8s.api.authentication.v1.TokenRequest',
};
