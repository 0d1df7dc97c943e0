// The per-resource strategy (k8s.io/apiserver's RESTCreateStrategy & co): everything that
// differs between resources. The generic REST store (../endpoints/store.ts) does the rest.
// A new built-in resource is one file in this folder exporting one ResourceStrategy.
import type { KubeObject } from '../../api/types.js';
import type { FieldError } from './validation.js';
import type { UserInfo } from '../endpoints/context.js';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';
export const ALL_VERBS: Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** 'name' for the Name column (kubectl uses it for `-o name` and sorting). */
  format?: string;
  description: string;
  /** 0 = shown by default; 1 = only with -o wide. */
  priority: number;
}

export interface TableConvertor<T extends KubeObject = KubeObject> {
  /** Every column, Name first, in upstream's order. */
  columns: TableColumn[];
  /** One cell per column. `now` is for Age cells (see table.ts age()). */
  cells(obj: T, now: Date): unknown[];
}

/** IP and port allocation for Services, owned by the API server (rebuilt from stored Services at start). */
export interface Allocators {
  /** Allocates the given IP, or the next free one in the service CIDR of that family. Throws a FieldError list on failure. */
  allocateServiceIP(family: 'IPv4' | 'IPv6', requested?: string): string;
  releaseServiceIP(ip: string): void;
  /** Allocates the given port, or a free one in 30000-32767. */
  allocateNodePort(requested?: number): number;
  releaseNodePort(port: number): void;
  /** The service CIDRs, e.g. ['10.43.0.0/16']. */
  serviceCIDRs: string[];
}

/** The subresources whose writes the generic store narrows to part of the object. */
export type WriteSubresource = 'status' | 'approval' | 'ephemeralcontainers';

export interface StrategyContext {
  now: Date;
  /** Namespace from the URL (for namespaced resources). */
  namespace?: string;
  allocators: Allocators;
  /** True for dry-run requests: allocate nothing lasting. */
  dryRun: boolean;
  /** Who asks (CSRs record their requestor, as upstream's strategies read it from the context). */
  user?: UserInfo;
  /** The subresource an update writes ('status', 'approval'); absent for the main resource. */
  subresource?: string;
}

/** Where spec.replicas and friends live, for the scale subresource. */
export interface ScaleSpec {
  specReplicasPath: string; // e.g. '.spec.replicas'
  statusReplicasPath: string; // e.g. '.status.replicas'
  labelSelectorPath?: string; // e.g. '.status.selector' (string form) or computed by selector()
  /** The label selector string for Scale.status.selector. */
  selector?(obj: KubeObject): string;
}

export interface ResourceStrategy<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  /** Plural, lower case: 'deployments'. */
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Discovery's singularName; defaults to the kind in lower case. */
  singularName?: string;
  /** Custom resources: strategic merge patch is refused (415), as upstream has no patch strategies for them. */
  noStrategicMerge?: boolean;
  /**
   * Custom resources: drops the fields the schema does not specify and returns their paths
   * (reported as unknown fields), in place of the typed decode check.
   */
  prune?(obj: T): string[];
  /** Defaults to ALL_VERBS. */
  verbs?: Verb[];
  /** OpenAPI definition name of the kind, e.g. 'io.k8s.api.apps.v1.Deployment'. */
  definition: string;
  /** Has a status subresource: main-resource writes keep the old status and status writes keep the rest. */
  status?: boolean;
  scale?: ScaleSpec;
  /** metadata.generation starts at 1 and grows when anything but metadata and status changes. */
  generation?: boolean;

  /** Storage sharing: another version/group holds the objects (events.k8s.io events, autoscaling/v1 HPAs). */
  storedAs?: {
    group: string;
    resource: string;
    toStored(obj: T): KubeObject;
    fromStored(obj: KubeObject): T;
  };

  /** Fills in defaults in place (runs on create and update, before validation; must be idempotent). */
  defaults?(obj: T): void;
  /** Create-only preparation in place: clear status, set phase, etc. */
  prepareForCreate?(obj: T, ctx: StrategyContext): void;
  /** Update preparation in place (old is the stored object). */
  prepareForUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  validate?(obj: T, ctx: StrategyContext): FieldError[];
  /** Create-only validation (pods: no ephemeral containers on create). Runs in addition to validate(). */
  validateCreate?(obj: T, ctx: StrategyContext): FieldError[];
  /** Update validation: immutable fields etc. Runs in addition to validate(). */
  validateUpdate?(obj: T, old: T, ctx: StrategyContext): FieldError[];
  /**
   * Allocation of cluster resources (service IPs, node ports) after validation; returns an undo
   * that the store calls if the write fails. `old` is set on update.
   */
  allocate?(obj: T, old: T | undefined, ctx: StrategyContext): () => void;
  /** Releases what allocate() took, after a successful delete. */
  release?(obj: T, ctx: StrategyContext): void;
  /**
   * Graceful deletion: seconds the object lingers with deletionTimestamp before removal, given
   * the client's gracePeriodSeconds (undefined = default). 0 or undefined = delete now.
   */
  gracePeriod?(obj: T, requested: number | undefined): number | undefined;
  /** Something besides metadata.finalizers that keeps a deleted object (namespaces: spec.finalizers). */
  deletionHeld?(obj: T): boolean;
  /** Marks the start of a deletion in place (namespaces: status.phase Terminating). */
  beginDeletion?(obj: T): void;
  /** DELETE answers with the object instead of a Status (upstream's ReturnDeletedObject). */
  returnDeletedObject?: boolean;
  table?: TableConvertor<T>;
  /** Extra field selectors beyond metadata.name and metadata.namespace. */
  fieldSelectors?: Record<string, (obj: T) => string | undefined>;
}
