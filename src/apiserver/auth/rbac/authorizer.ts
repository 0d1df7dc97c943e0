// The RBAC authorizer (upstream's plugin/pkg/auth/authorizer/rbac): allows what some bound
// role's rule allows; otherwise has no opinion, giving resolution errors (a binding to a
// missing role) as the reason, e.g. `RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`.
import type { UserInfo } from '../../endpoints/context.js';
import type { AuthorizationAttributes, AuthorizationResult } from '../types.js';
import { aggregateMessage, type RuleResolver } from './resolver.js';
import { ruleAllows, type PolicyRule } from './rules.js';

/** What SelfSubjectRulesReview asks of an authorizer (upstream's authorizer.RuleResolver). */
export interface UserRules {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  /** True when an authorizer cannot enumerate what it allows. */
  incomplete: boolean;
  errors: string[];
}

export interface RuleListingAuthorizer {
  authorize(attrs: AuthorizationAttributes): AuthorizationResult;
  rulesFor(user: UserInfo, namespace: string): UserRules;
}

export function rbacAuthorizer(resolver: RuleResolver): RuleListingAuthorizer {
  return {
    authorize(a) {
      let allowedBy: string | undefined;
      const errors: string[] = [];
      resolver.visitRulesFor(a.user, a.namespace, (source, rule, err) => {
        if (rule && ruleAllows(a, rule)) {
          allowedBy = source;
          return false;
        }
        if (err) errors.push(err);
        return true;
      });
      if (allowedBy !== undefined) return { decision: 'allow', reason: `RBAC: allowed by ${allowedBy}` };
      return { decision: 'noOpinion', reason: errors.length ? `RBAC: ${aggregateMessage(errors)}` : '' };
    },
    rulesFor(user, namespace) {
      const { rules, errors } = resolver.rulesFor(user, namespace);
      return {
        resourceRules: rules.filter((r) => (r.resources ?? []).length > 0),
        nonResourceRules: rules.filter((r) => (r.nonResourceURLs ?? []).length > 0),
        incomplete: false,
        errors,
      };
    },
  };
}
