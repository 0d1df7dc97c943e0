// kube-apiserver's CEL authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go) for
// webhook matchConditions and ValidatingAdmissionPolicy: `authorizer.group(g).resource(r)
// .subresource(s).namespace(ns).name(n).check(verb)` and `authorizer.path(p).check(httpVerb)`
// give a Decision (`allowed()`, `reason()`, `errored()`, `error()`);
// `authorizer.serviceAccount(ns, name)` asks for a service account instead of the requestor;
// `authorizer.requestResource` is a resource check prefilled with the request's resource.
//
// The values are protobuf messages whose one string field holds their state as JSON, so that
// methods dispatch on their type and nothing outlives the evaluation. CEL evaluation is
// synchronous but the server's authorizer may not be: a check it has not answered yet fails the
// evaluation and is recorded; withAuthorization() asks the authorizer for what was recorded and
// evaluates again, until every check of the (deterministic) expression has its answer.
import { create, createFileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { celMethod, CelScalar, objectType, type CelFunc } from '@bufbuild/cel';
import type { UserInfo } from '../endpoints/context.js';
import type { AuthorizationAttributes, Authorizer } from '../auth/types.js';

const { STRING, BOOL } = CelScalar;
const STATE = { name: 'state', jsonName: 'state', number: 1, type: 9, label: 1 };
const file = create(FileDescriptorProtoSchema, {
  name: 'k8ts/cel/authz.proto',
  package: 'kubernetes.authorization',
  syntax: 'proto3',
  messageType: [
    {
      name: 'Authorizer',
      field: [
        STATE,
        {
          name: 'requestResource',
          jsonName: 'requestResource',
          number: 2,
          type: 11,
          label: 1,
          typeName: '.kubernetes.authorization.ResourceCheck',
        },
      ],
    },
    { name: 'PathCheck', field: [STATE] },
    { name: 'GroupCheck', field: [STATE] },
    { name: 'ResourceCheck', field: [STATE] },
    { name: 'Decision', field: [STATE] },
  ],
});
const files = createFileRegistry(file, () => undefined);
const desc = (n: string) => files.getMessage(`kubernetes.authorization.${n}`)!;
const authorizerDesc = desc('Authorizer');
const pathDesc = desc('PathCheck');
const groupDesc = desc('GroupCheck');
const resourceDesc = desc('ResourceCheck');
const decisionDesc = desc('Decision');
/** The message types, for the CEL environment's registry. */
export const authorizerTypes = [authorizerDesc, pathDesc, groupDesc, resourceDesc, decisionDesc];

interface Subject {
  user: UserInfo;
}
interface ResourceState extends Subject {
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** The request's version for requestResource, '*' otherwise (as upstream). */
  version: string;
}
interface DecisionState {
  decision: string;
  reason: string;
  error: string;
}

/** `this` of a method on one of these messages: a ReflectMessage with the plain message inside. */
const stateOf = <T>(self: unknown): T =>
  JSON.parse((self as { message: { state?: string } }).message.state ?? '{}') as T;
const msg = (d: typeof pathDesc, state: unknown) => create(d, { state: JSON.stringify(state) });

// ---- the running evaluation's authorization answers ----

/** One evaluation's answers, keyed by the attributes asked for. */
export class AuthorizationSession {
  readonly answers = new Map<string, DecisionState>();
  readonly pending = new Map<string, AuthorizationAttributes>();
  constructor(readonly authorizer: Authorizer) {}

  /** The answer for attrs, or undefined (recorded as pending) when it is not known yet. */
  lookup(attrs: AuthorizationAttributes): DecisionState | undefined {
    const key = JSON.stringify(attrs);
    const known = this.answers.get(key);
    if (!known) this.pending.set(key, attrs);
    return known;
  }

  async resolvePending(): Promise<void> {
    const asked = [...this.pending];
    this.pending.clear();
    await Promise.all(
      asked.map(async ([key, attrs]) => {
        try {
          const r = await this.authorizer.authorize(attrs);
          this.answers.set(key, { decision: r.decision, reason: r.reason, error: '' });
        } catch (err) {
          this.answers.set(key, { decision: 'noOpinion', reason: '', error: (err as Error).message });
        }
      }),
    );
  }
}

let active: AuthorizationSession | undefined;

class PendingAuthorization extends Error {
  constructor() {
    super('authorization check pending');
  }
}

/** upstream evaluates each expression once; a re-run per round of new checks is bounded here. */
const MAX_ROUNDS = 16;

/**
 * Runs fn (which evaluates CEL) until every authorizer check it makes has an answer. fn must
 * have no effects beyond its result, as it may run several times.
 */
export async function withAuthorization<T>(session: AuthorizationSession, fn: () => T): Promise<T> {
  for (let round = 0; ; round++) {
    const outer = active;
    active = session;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      if (!session.pending.size || round >= MAX_ROUNDS) throw err;
      result = undefined as T;
    } finally {
      active = outer;
    }
    if (!session.pending.size || round >= MAX_ROUNDS) return result;
    await session.resolvePending();
  }
}

function decide(attrs: AuthorizationAttributes): DecisionState {
  const answer = active?.lookup(attrs);
  if (!answer) throw new PendingAuthorization();
  return answer;
}

/** The CEL value of `authorizer` for a request: checks as its user, requestResource prefilled. */
export function authorizerValue(
  user: UserInfo,
  request: {
    group: string;
    version: string;
    resource: string;
    subresource: string;
    namespace: string;
    name: string;
  },
): object {
  const requestResource: ResourceState = { user, ...request };
  return create(authorizerDesc, {
    state: JSON.stringify({ user }),
    requestResource: msg(resourceDesc, requestResource),
  });
}

const AUTHZ = objectType(authorizerDesc);
const PATH = objectType(pathDesc);
const GROUP = objectType(groupDesc);
const RESOURCE = objectType(resourceDesc);
const DECISION = objectType(decisionDesc);

const resourceSetter = (field: 'subresource' | 'namespace' | 'name') =>
  celMethod(field, RESOURCE, [STRING], RESOURCE, function (value) {
    return msg(resourceDesc, { ...stateOf<ResourceState>(this), [field]: value }) as never;
  });

export const authorizerLibrary: CelFunc[] = [
  celMethod('path', AUTHZ, [STRING], PATH, function (path) {
    return msg(pathDesc, { ...stateOf<Subject>(this), path }) as never;
  }),
  celMethod('group', AUTHZ, [STRING], GROUP, function (group) {
    return msg(groupDesc, { ...stateOf<Subject>(this), group }) as never;
  }),
  celMethod('serviceAccount', AUTHZ, [STRING, STRING], AUTHZ, function (namespace, name) {
    const user: UserInfo = {
      name: `system:serviceaccount:${namespace}:${name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
    };
    return create(authorizerDesc, { state: JSON.stringify({ user }) }) as never;
  }),
  celMethod('resource', GROUP, [STRING], RESOURCE, function (resource) {
    const s = stateOf<Subject & { group: string }>(this);
    const state: ResourceState = {
      user: s.user,
      group: s.group,
      resource,
      subresource: '',
      namespace: '',
      name: '',
      version: '*',
    };
    return msg(resourceDesc, state) as never;
  }),
  resourceSetter('subresource'),
  resourceSetter('namespace'),
  resourceSetter('name'),
  celMethod('check', RESOURCE, [STRING], DECISION, function (verb) {
    const s = stateOf<ResourceState>(this);
    const d = decide({
      user: s.user,
      verb,
      resourceRequest: true,
      group: s.group,
      version: s.version,
      resource: s.resource,
      subresource: s.subresource,
      namespace: s.namespace,
      name: s.name,
      path: '',
    });
    return msg(decisionDesc, d) as never;
  }),
  celMethod('check', PATH, [STRING], DECISION, function (httpVerb) {
    const s = stateOf<Subject & { path: string }>(this);
    const d = decide({
      user: s.user,
      verb: httpVerb.toLowerCase(),
      resourceRequest: false,
      group: '',
      version: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
      path: s.path,
    });
    return msg(decisionDesc, d) as never;
  }),
  celMethod('allowed', DECISION, [], BOOL, function () {
    return stateOf<DecisionState>(this).decision === 'allow';
  }),
  celMethod('reason', DECISION, [], STRING, function () {
    return stateOf<DecisionState>(this).reason;
  }),
  celMethod('errored', DECISION, [], BOOL, function () {
    return stateOf<DecisionState>(this).error !== '';
  }),
  celMethod('error', DECISION, [], STRING, function () {
    return stateOf<DecisionState>(this).error;
  }),
];
