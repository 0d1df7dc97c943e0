// Server-owned metadata: uid, creationTimestamp, generation, generateName, and what an update
// may not change. Pure helpers used by the generic store.
import { randomBytes, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../api/types.js';
import { sameJSON } from '../../api/json-value.js';

/** Upstream's RFC3339 with second precision, e.g. 2024-05-01T10:00:00Z. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// upstream's utilrand alphabet: no vowels (no words) and no look-alikes (0/1/3)
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function generateNameSuffix(): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += ALPHANUMS[b % ALPHANUMS.length];
  return s;
}

/** Sets what the server owns on create. */
export function fillCreateMeta(obj: KubeObject, now: Date, withGeneration: boolean): void {
  const m: ObjectMeta = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = timestamp(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (withGeneration) m.generation = 1;
  else delete m.generation;
}

/** Keeps what an update may not touch; returns whether the spec (anything but metadata/status) changed. */
export function carryUpdateMeta(obj: KubeObject, old: KubeObject, withGeneration: boolean): void {
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (!m.generateName && o.generateName) m.generateName = o.generateName;
  if (withGeneration) {
    const gen = o.generation ?? 1;
    m.generation = specChanged(obj, old) ? gen + 1 : gen;
  } else delete m.generation;
}

function specOnly(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, kind: _k, apiVersion: _a, ...rest } = obj;
  return rest;
}

export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return !sameJSON(specOnly(a), specOnly(b));
}

export { sameJSON };
