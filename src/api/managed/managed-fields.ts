// metadata.managedFields upkeep: which manager owns which fields, after an Update (create,
// update, patch) or an Apply (server-side apply), as upstream's fieldmanager keeps it.
import { StatusError } from '../errors.js';
import { isRecord, type KubeObject } from '../types.js';
import type { Definitions } from '../schema/dsl.js';
import { applyStrategicMergePatch } from '../patch/strategic.js';
import {
  displayPath,
  KEY_DEFAULTS,
  fieldSetOf,
  fromFieldsV1,
  leaves,
  SEP,
  toFieldsV1,
  type FieldSet,
} from './fieldset.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ManagerOptions {
  manager: string;
  apiVersion: string;
  time: string;
  subresource?: string;
  definitionName: string;
  definitions: Definitions;
}

function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(SEP)) {
    if (cur === undefined) return undefined;
    if (part === '.') continue;
    if (part.startsWith('f:')) cur = isRecord(cur) ? cur[part.slice(2)] : undefined;
    else if (part.startsWith('k:')) {
      const want = JSON.parse(part.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur)
        ? cur.find(
            (i) =>
              isRecord(i) &&
              Object.entries(want).every(
                ([k, v]) => JSON.stringify(i[k] ?? KEY_DEFAULTS[k]) === JSON.stringify(v),
              ),
          )
        : undefined;
    } else if (part.startsWith('v:')) {
      const want = part.slice(2);
      cur = Array.isArray(cur) ? cur.find((i) => JSON.stringify(i) === want) : undefined;
    }
  }
  return cur;
}

function removeAt(obj: unknown, path: string): void {
  const parts = path.split(SEP).filter((p) => p !== '.');
  const last = parts.pop();
  if (!last) return;
  const parent = valueAt(obj, parts.join(SEP));
  if (last.startsWith('f:') && isRecord(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const i = parent.indexOf(valueAt(obj, [...parts, last].join(SEP)));
    if (i >= 0) parent.splice(i, 1);
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function entriesOf(obj: KubeObject | undefined): ManagedFieldsEntry[] {
  const mf = obj?.metadata.managedFields as ManagedFieldsEntry[] | undefined;
  return Array.isArray(mf) ? mf : [];
}

function withAncestors(paths: Iterable<string>, within: FieldSet): FieldSet {
  const out: FieldSet = new Set();
  for (const p of paths) {
    const parts = p.split(SEP);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join(SEP);
      if (within.has(prefix)) out.add(prefix);
    }
    for (const q of within) if (q.startsWith(p + SEP)) out.add(q);
  }
  return out;
}

function minus(set: FieldSet, drop: FieldSet): FieldSet {
  const out = new Set([...set].filter((p) => !drop.has(p)));
  // a node left without leaves below it that it had before is no longer owned
  for (const p of [...out]) {
    const hadChildren = [...set].some((q) => q.startsWith(p + SEP));
    const hasChildren = [...out].some((q) => q.startsWith(p + SEP));
    if (hadChildren && !hasChildren) out.delete(p);
  }
  return out;
}

function entry(o: ManagerOptions, operation: 'Apply' | 'Update', set: FieldSet): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = {
    manager: o.manager,
    operation,
    apiVersion: o.apiVersion,
    time: o.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(set),
  };
  if (o.subresource) e.subresource = o.subresource;
  return e;
}

const isMine = (e: ManagedFieldsEntry, o: ManagerOptions, op: string) =>
  e.manager === o.manager && e.operation === op && (e.subresource ?? '') === (o.subresource ?? '');

/** Ownership after an Update: the manager gains what it changed, others lose it. */
export function updateManagedFields(
  old: KubeObject | undefined,
  next: KubeObject,
  o: ManagerOptions,
): ManagedFieldsEntry[] {
  const newSet = fieldSetOf(next, o.definitionName, o.definitions);
  if (!old) return newSet.size ? [entry(o, 'Update', newSet)] : [];
  const oldSet = fieldSetOf(old, o.definitionName, o.definitions);
  const changed = new Set<string>();
  for (const l of leaves(newSet))
    if (!oldSet.has(l) || !same(valueAt(old, l), valueAt(next, l))) changed.add(l);
  for (const l of leaves(oldSet)) if (!newSet.has(l)) changed.add(l);
  const changedWithin = withAncestors(
    [...changed].filter((p) => newSet.has(p)),
    newSet,
  );
  const out: ManagedFieldsEntry[] = [];
  let mine: FieldSet = new Set(changedWithin);
  for (const e of entriesOf(old)) {
    const set = fromFieldsV1(e.fieldsV1);
    if (isMine(e, o, 'Update')) {
      for (const p of set) if (newSet.has(p)) mine.add(p);
      continue;
    }
    const kept = minus(set, changed);
    if (kept.size) out.push({ ...e, fieldsV1: toFieldsV1(kept) });
  }
  mine = new Set([...mine].filter((p) => newSet.has(p)));
  if (mine.size) out.push(entry(o, 'Update', mine));
  return out;
}

interface Conflict {
  manager: string;
  apiVersion: string;
  path: string;
}

function conflictError(conflicts: Conflict[]): StatusError {
  const who = (c: Conflict) => `"${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`;
  let text: string;
  if (conflicts.length === 1) text = `conflict with ${who(conflicts[0])}: ${displayPath(conflicts[0].path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), displayPath(c.path)]);
    text = [...byManager]
      .map(([m, ps]) => `conflicts with ${m}:\n${ps.map((p) => `- ${p}`).join('\n')}`)
      .join('\n');
  }
  const n = conflicts.length;
  return new StatusError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${text}`, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${who(c)}`,
      field: displayPath(c.path),
    })),
  });
}

/** Server-side apply: merge the applied configuration, check ownership, drop fields the manager let go of. */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  force: boolean,
  o: ManagerOptions,
): KubeObject {
  const appliedSet = fieldSetOf(applied, o.definitionName, o.definitions);
  // '.' marks an element's own presence, not a value: ownership conflicts are about values
  const appliedLeaves = leaves(appliedSet).filter((l) => !l.endsWith(`${SEP}.`));
  const entries = entriesOf(live);
  const conflicts: Conflict[] = [];
  const taken = new Set<string>();
  for (const e of entries) {
    if (isMine(e, o, 'Apply')) continue;
    const set = fromFieldsV1(e.fieldsV1);
    for (const l of appliedLeaves) {
      if (set.has(l) && !same(valueAt(live, l), valueAt(applied, l))) {
        conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, path: l });
        taken.add(l);
      }
    }
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  const base = live
    ? structuredClone(live)
    : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const { managedFields: _m, resourceVersion: _r, ...appliedMeta } = applied.metadata;
  const merged = applyStrategicMergePatch(
    base,
    { ...applied, metadata: appliedMeta },
    o.definitionName,
    o.definitions,
  ) as KubeObject;
  const prevMine = entries.find((e) => isMine(e, o, 'Apply'));
  const others = entries
    .filter((e) => !isMine(e, o, 'Apply'))
    .map((e) => ({ e, set: minus(fromFieldsV1(e.fieldsV1), taken) }));
  if (prevMine) {
    for (const l of leaves(fromFieldsV1(prevMine.fieldsV1))) {
      if (!appliedSet.has(l) && !others.some((x) => x.set.has(l))) removeAt(merged, l);
    }
  }
  const next: ManagedFieldsEntry[] = others
    .filter((x) => x.set.size)
    .map((x) => ({ ...x.e, fieldsV1: toFieldsV1(x.set) }));
  next.push(entry(o, 'Apply', appliedSet));
  merged.metadata.managedFields = next;
  return merged;
}
