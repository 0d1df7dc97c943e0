// Server-side apply (PATCH application/apply-patch+yaml), as upstream's fieldmanager and
// structured-merge-diff do it: merge the configuration into the live object by the schema,
// drop what the manager applied last time and no longer applies (unless someone else owns it),
// and refuse to change a value another manager owns unless forced.
import { StatusError } from '../errors.js';
import { isRecord, type KubeObject } from '../types.js';
import type { Definitions } from '../schema/dsl.js';
import { FieldSet, pathString, type Path } from './fieldset.js';

import {
  SERVER_OWNED,
  capUpdateOwners,
  decodeOwners,
  encodeOwners,
  ownerKey,
  withoutManagedFields,
  type ManagedFieldsEntry,
  type ManagerOptions,
  type Owner,
} from './managed-fields.js';
import { compare, deepEqual, ensureNamedFieldsAreMembers, fieldSetOf, merge, removeItems } from './typed.js';
import { cloneJSON } from '../json-value.js';

export interface ApplyOptions {
  manager: string;
  force: boolean;
  apiVersion: string;
  time: string;
  definitionName: string;
  definitions: Definitions;
  subresource?: string;
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** kubectl's --server-side field manager; only it gets the client-side-apply upgrade rules. */
export const KUBECTL_SSA_MANAGER = 'kubectl';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

interface Conflict {
  owner: Owner;
  path: Path;
}

/**
 * Applies `applied` over `live` (undefined: create) for `opts.manager`. Throws a 409 Conflict
 * StatusError listing every conflicting field when another manager owns a value being changed.
 * The returned object carries the new managedFields in its metadata.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  opts: ApplyOptions,
): ApplyResult;
/** Older call shape (force as its own argument), returning only the object. */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  force: boolean,
  opts: Omit<ManagerOptions, 'operation'>,
): KubeObject;
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  forceOrOpts: boolean | ApplyOptions,
  legacy?: Omit<ManagerOptions, 'operation'>,
): ApplyResult | KubeObject {
  if (typeof forceOrOpts === 'boolean')
    return apply(live, applied, { ...legacy!, force: forceOrOpts }).object;
  return apply(live, applied, forceOrOpts);
}

function apply(live: KubeObject | undefined, applied: KubeObject, o: ApplyOptions): ApplyResult {
  const { definitionName: def, definitions: defs } = o;
  const config = configOf(applied);
  const base: KubeObject = live
    ? withoutManagedFields(live)
    : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const owners = decodeOwners(live);
  const me: Owner = { manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, set: new FieldSet() };
  if (o.subresource) me.subresource = o.subresource;
  const myKey = ownerKey(me);
  const previous = owners.get(myKey);
  me.set = fieldSetOf(config, def, defs).difference(SERVER_OWNED);
  owners.set(myKey, { ...me, time: previous?.time });

  let merged = merge(base, config, def, defs) as KubeObject;
  if (previous) merged = prune(merged, previous.set, owners, o);

  const c = compare(base, merged, def, defs);
  const touched = c.modified.union(c.added);
  const conflicts = findConflicts(owners, myKey, touched);
  if (conflicts.length && !o.force) {
    // kubectl switching from client-side to server-side apply: fields whose live value still
    // equals the last-applied configuration were the user's own, so the apply is forced
    const allowed =
      o.manager === KUBECTL_SSA_MANAGER && live ? unchangedSinceLastApplied(base, def, defs) : undefined;
    const remaining = conflicts.filter((x) => !allowed?.has(x.path));
    if (remaining.length) throw conflictError(remaining);
  }
  // forced (or allowed): the conflicting fields change hands
  for (const x of conflicts) x.owner.set = x.owner.set.difference(FieldSet.of(x.path));
  for (const [k, owner] of owners) if (k !== myKey) owner.set = owner.set.difference(c.removed);
  const changed = !deepEqual(base, merged) || !previous || !deepEqual(previous.set.leaves(), me.set.leaves());
  owners.set(myKey, { ...me, time: changed ? o.time : (previous?.time ?? o.time) });
  for (const [k, owner] of owners) if (owner.set.empty()) owners.delete(k);

  syncLastApplied(merged, applied, o.manager);
  const managedFields = encodeOwners(capUpdateOwners(owners));
  const object: KubeObject = { ...merged, metadata: { ...merged.metadata } };
  if (managedFields.length) object.metadata.managedFields = managedFields;
  else delete object.metadata.managedFields;
  return { object, managedFields };
}

/** The configuration without what a client cannot apply: managedFields and resourceVersion. */
function configOf(applied: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, ...metadata } = applied.metadata ?? {};
  return { ...applied, metadata };
}

/** Removes what the manager applied before and no longer applies, unless another manager owns it. */
function prune(merged: KubeObject, last: FieldSet, owners: Map<string, Owner>, o: ApplyOptions): KubeObject {
  const { definitionName: def, definitions: defs } = o;
  let owned = new FieldSet();
  for (const owner of owners.values()) owned = owned.union(owner.set);
  const drop = ensureNamedFieldsAreMembers(last, def, defs)
    .difference(ensureNamedFieldsAreMembers(owned, def, defs))
    .difference(SERVER_OWNED);
  return removeItems(merged, drop, def, defs) as KubeObject;
}

function findConflicts(owners: Map<string, Owner>, myKey: string, touched: FieldSet): Conflict[] {
  const out: Conflict[] = [];
  const keys = [...owners.keys()].filter((k) => k !== myKey).sort();
  for (const k of keys) {
    const owner = owners.get(k)!;
    for (const path of owner.set.intersection(touched).leaves()) out.push({ owner, path });
  }
  return out;
}

/** Fields of the last-applied annotation whose live value is still the applied one. */
function unchangedSinceLastApplied(live: KubeObject, def: string, defs: Definitions): FieldSet {
  const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!text) return new FieldSet();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return new FieldSet();
  }
  if (!isRecord(lastApplied)) return new FieldSet();
  const c = compare(lastApplied, live, def, defs);
  return fieldSetOf(lastApplied, def, defs).difference(c.modified).difference(c.added).difference(c.removed);
}

/** kubectl applying server-side keeps an existing last-applied annotation current (upstream's lastAppliedUpdater). */
function syncLastApplied(merged: KubeObject, applied: KubeObject, manager: string): void {
  const annotations = merged.metadata.annotations;
  if (manager !== KUBECTL_SSA_MANAGER || !annotations?.[LAST_APPLIED_ANNOTATION]) return;
  const copy = cloneJSON(applied);
  if (copy.metadata.annotations) delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
  merged.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: `${sortedJSON(copy)}\n` };
}

/** Go's encoding/json writes map keys sorted; the annotation is compared byte for byte by kubectl. */
function sortedJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${sortedJSON(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** How upstream names a manager in conflict messages. */
function who(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion}`;
  return s;
}

/** 409 with upstream's message: one line for one conflict, grouped by manager for more. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const n = conflicts.length;
  let message: string;
  if (n === 1)
    message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0].owner)}: ${pathString(conflicts[0].path)}`;
  else {
    const lines: string[] = [];
    let current: Owner | undefined;
    for (const x of conflicts) {
      if (x.owner !== current) lines.push(`conflicts with ${who(x.owner)}:`);
      current = x.owner;
      lines.push(`- ${pathString(x.path)}`);
    }
    message = `Apply failed with ${n} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, {
    causes: conflicts.map((x) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${who(x.owner)}`,
      field: pathString(x.path),
    })),
  });
}
