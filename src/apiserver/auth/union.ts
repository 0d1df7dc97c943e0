// Several authorizers asked in turn (upstream's union authorizer): the first allow or deny
// decides; when all have no opinion, their reasons are joined by newlines. Rule listing
// (SelfSubjectRulesReview) unites what each authorizer can enumerate.
import type { UserInfo } from '../endpoints/context.js';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from './types.js';
import type { RuleListingAuthorizer, UserRules } from './rbac/authorizer.js';

export interface ListingAuthorizer extends Authorizer {
  authorize(attrs: AuthorizationAttributes): AuthorizationResult;
  rulesFor(user: UserInfo, namespace: string): UserRules;
}

export function unionAuthorizer(parts: RuleListingAuthorizer[]): ListingAuthorizer {
  return {
    authorize(attrs) {
      const reasons: string[] = [];
      for (const p of parts) {
        const r = p.authorize(attrs);
        if (r.decision !== 'noOpinion') return r;
        if (r.reason) reasons.push(r.reason);
      }
      return { decision: 'noOpinion', reason: reasons.join('\n') };
    },
    rulesFor(user, namespace) {
      const all: UserRules = { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
      for (const p of parts) {
        const r = p.rulesFor(user, namespace);
        all.resourceRules.push(...r.resourceRules);
        all.nonResourceRules.push(...r.nonResourceRules);
        all.incomplete ||= r.incomplete;
        all.errors.push(...r.errors);
      }
      return all;
    },
  };
}

/** Members of the privileged group may do anything (upstream's system:masters authorizer). */
export function privilegedGroupAuthorizer(group: string): RuleListingAuthorizer {
  return {
    authorize: (a) =>
      a.user.groups.includes(group)
        ? { decision: 'allow', reason: '' }
        : { decision: 'noOpinion', reason: '' },
    // upstream's privileged-group authorizer lists no rules: cluster-admin's binding shows them
    rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] }),
  };
}

export function isListingAuthorizer(a: Authorizer): a is ListingAuthorizer {
  return typeof (a as Partial<ListingAuthorizer>).rulesFor === 'function';
}
