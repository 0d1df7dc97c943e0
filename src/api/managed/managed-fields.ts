// metadata.managedFields upkeep for Update operations (create, update, patch), as upstream's
// fieldmanager keeps it: the writer gains the fields it added or changed, every other manager
// loses them, and fields that vanished are nobody's any more.
import { sameJSON } from '../json-value.js';
import { isRecord, type KubeObject } from '../types.js';
import type { Definitions } from '../schema/dsl.js';
import { FieldSet } from './fieldset.js';
import { fromFieldsV1, toFieldsV1, type FieldsV1 } from './fields-v1.js';
import { compare } from './typed.js';
import { withZeroValues, zeroObject } from './zero-object.js';

/** Upstream's metav1.ManagedFieldsEntry, field for field. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

export interface ManagerOptions {
  manager: string;
  apiVersion: string;
  /** RFC 3339 time of this write, e.g. "2024-05-01T10:00:00Z". */
  time: string;
  subresource?: string;
  /** Definition of the written kind, e.g. 'io.k8s.api.apps.v1.Deployment'. */
  definitionName: string;
  definitions: Definitions;
  /** Always 'Update' here; accepted so callers can pass upstream's option shape. */
  operation?: 'Update';
}

/** One manager's ownership while it is being worked on. */
export interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** The stored FieldsV1 `set` was read from: encoding reuses it while `set` is that same object. */
  raw?: { set: FieldSet; fields: FieldsV1 };
}

/** Upstream's cap on Update entries; older ones are folded into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * Paths no manager ever owns (upstream's stripMeta list), plus the deletion markers that only
 * the server's graceful deletion writes and upstream never records.
 */
export const SERVER_OWNED = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ].map((f) => ['f:metadata', `f:${f}`]),
);

/** Entries are one per (manager, operation, subresource), and per apiVersion for Updates. */
export function ownerKey(o: Pick<Owner, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const version = o.operation === 'Apply' ? '' : o.apiVersion;
  return JSON.stringify([o.manager, o.operation, version, o.subresource ?? '']);
}

export function decodeOwners(obj: KubeObject | undefined): Map<string, Owner> {
  const out = new Map<string, Owner>();
  const entries: unknown = obj?.metadata.managedFields;
  if (!Array.isArray(entries)) return out;
  for (const raw of entries as Partial<ManagedFieldsEntry>[]) {
    if (!raw || typeof raw.manager !== 'string') continue;
    const owner: Owner = {
      manager: raw.manager,
      operation: raw.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: raw.apiVersion ?? '',
      set: fromFieldsV1(raw.fieldsV1),
    };
    if (isRecord(raw.fieldsV1)) owner.raw = { set: owner.set, fields: raw.fieldsV1 };
    if (raw.subresource) owner.subresource = raw.subresource;
    if (raw.time) owner.time = raw.time;
    const k = ownerKey(owner);
    const prev = out.get(k);
    out.set(k, prev ? { ...owner, set: prev.set.union(owner.set) } : owner);
  }
  return out;
}

/** Entries in upstream's order: Apply before Update, then oldest first, then by name. */
export function encodeOwners(owners: Map<string, Owner>): ManagedFieldsEntry[] {
  const list = [...owners.values()].filter((o) => !o.set.empty());
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((o) => ({
    manager: o.manager,
    operation: o.operation,
    apiVersion: o.apiVersion,
    ...(o.time ? { time: o.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: o.raw?.set === o.set ? o.raw.fields : toFieldsV1(o.set),
    ...(o.subresource ? { subresource: o.subresource } : {}),
  }));
}

/** Both objects without managedFields: ownership records never own themselves. */
export function withoutManagedFields<T extends KubeObject | undefined>(obj: T): T {
  if (!obj) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata } as T;
}

/**
 * Ownership after an Update (create, update, patch): returns the new managedFields entries.
 * `oldObj` undefined means create; upstream then compares against the kind's empty object.
 */
export function updateManagedFields(
  oldObj: KubeObject | undefined,
  newObj: KubeObject,
  o: ManagerOptions,
): ManagedFieldsEntry[] {
  const owners = decodeOwners(oldObj);
  const { definitionName: def, definitions: defs } = o;
  let c: ReturnType<typeof compare>;
  if (oldObj) {
    const [a, b] = withoutEqualFields(withoutManagedFields(oldObj), withoutManagedFields(newObj));
    c = compare(withZeroValues(a, def, defs), withZeroValues(b, def, defs), def, defs);
  } else {
    c = compare(zeroObject(def, defs), withZeroValues(withoutManagedFields(newObj), def, defs), def, defs);
  }
  const changed = c.modified.union(c.added).difference(SERVER_OWNED);
  // upstream runs the write as a fresh manager, so the writer's own earlier entry loses
  // changed and removed fields like everyone else's, then absorbs what this write set
  for (const [k, owner] of owners) {
    if (!owner.set.overlaps(changed) && !owner.set.overlaps(c.removed)) continue; // keeps its raw form
    const set = owner.set.difference(changed).difference(c.removed);
    if (set.empty()) owners.delete(k);
    else owners.set(k, { ...owner, set });
  }
  if (!changed.empty()) {
    const me: Owner = {
      manager: o.manager,
      operation: 'Update',
      apiVersion: o.apiVersion,
      time: o.time,
      set: changed,
    };
    if (o.subresource) me.subresource = o.subresource;
    const k = ownerKey(me);
    const prev = owners.get(k);
    owners.set(k, { ...me, set: prev ? prev.set.union(changed) : changed });
  }
  return encodeOwners(capUpdateOwners(owners));
}

/**
 * Both objects without the top-level fields they hold equal: nothing changed there, so the
 * comparison need not walk them (a status write leaves the spec alone, and the spec is most of
 * a pod).
 */
function withoutEqualFields(a: KubeObject, b: KubeObject): [KubeObject, KubeObject] {
  const x: Record<string, unknown> = { ...a };
  const y: Record<string, unknown> = { ...b };
  for (const k of Object.keys(x)) {
    if (k !== 'metadata' && k in y && sameJSON(x[k], y[k])) {
      delete x[k];
      delete y[k];
    }
  }
  return [x as KubeObject, y as KubeObject];
}

/** More than MAX_UPDATE_MANAGERS Update entries: the oldest are merged, per apiVersion, into "ancient-changes". */
export function capUpdateOwners(owners: Map<string, Owner>): Map<string, Owner> {
  const updaters = [...owners.entries()].filter(([, o]) => o.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return owners;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [key, o] of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const bucket: Omit<Owner, 'set'> = {
      manager: ANCIENT_CHANGES_MANAGER,
      operation: 'Update',
      apiVersion: o.apiVersion,
    };
    const bucketKey = ownerKey(bucket);
    const first = firstOfVersion.get(o.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(o.apiVersion, key);
      continue;
    }
    if (!owners.has(bucketKey)) {
      const f = owners.get(first)!;
      owners.delete(first);
      owners.set(bucketKey, { ...bucket, time: f.time, set: f.set });
    }
    const b = owners.get(bucketKey)!;
    owners.set(bucketKey, { ...bucket, time: o.time, set: b.set.union(o.set) });
    owners.delete(key);
    count--;
  }
  return owners;
}
