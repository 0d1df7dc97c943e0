// Admission (k8s.io/apiserver/pkg/admission): plugins see each write after decoding and
// defaulting. Mutating plugins (admit) may change the object; validating plugins (validate)
// only accept or refuse it, after the strategy's own validation, right before storage.
// A plugin refuses by throwing a StatusError (usually 403 Forbidden with upstream's message).
import type { KubeObject } from '../../api/types.js';
import type { RequestContext, UserInfo } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import type { Authorizer } from '../auth/types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  group: string;
  version: string;
  /** Plural resource, e.g. 'pods'. */
  resource: string;
  /** '' for the main resource, else e.g. 'status', 'binding', 'eviction'. */
  subresource: string;
  kind: string;
  /** '' for cluster-scoped resources. */
  namespace: string;
  /** May be '' on create with generateName. */
  name: string;
  /** The incoming object (CREATE, UPDATE; CONNECT options); undefined on DELETE. */
  object: KubeObject | undefined;
  /** The stored object (UPDATE, DELETE). */
  oldObject: KubeObject | undefined;
  user: UserInfo;
  dryRun: boolean;
  /** The request's context: plugins may add warnings (`ctx.warnings.push`). */
  ctx: RequestContext;
}

export interface AdmissionPlugin {
  /** Upstream's plugin name, e.g. 'LimitRanger'. */
  readonly name: string;
  /** The mutating phase also runs on DELETE (with oldObject only), as for mutating webhooks. */
  readonly admitsDelete?: boolean;
  /** Mutating phase: may change request.object in place. */
  admit?(request: AdmissionRequest): void | Promise<void>;
  /** Validating phase: throws to refuse. */
  validate?(request: AdmissionRequest): void | Promise<void>;
}

/** What plugins may read and write inside the API server: the stores of every resource. */
export interface AdmissionDeps {
  /** The store of a resource by group and plural name (the preferred, stored version). */
  store(group: string, resource: string): ResourceStore | undefined;
  /** A request context for writes the API server makes on its own behalf. */
  systemContext(namespace?: string): RequestContext;
  /** The server's authorizer (Node, RBAC), for plugins that ask it as upstream's WantsAuthorizer. */
  authorizer(): Authorizer;
  /** --admission-control-config-file: the plugins' configurations by plugin name. */
  config?: ReadonlyMap<string, Record<string, unknown>>;
}
