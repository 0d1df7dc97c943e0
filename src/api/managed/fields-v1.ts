// The FieldsV1 encoding of a field set, as stored in metadata.managedFields[].fieldsV1: one JSON
// object per node, `{}` for a member without children, and `".": {}` first in a node that is
// both a member and the parent of other owned paths.
import { isRecord } from '../types.js';
import { FieldSet, sortPathElements } from './fieldset.js';

export type FieldsV1 = Record<string, unknown>;

export function toFieldsV1(set: FieldSet): FieldsV1 {
  return encode(set, false);
}

function encode(node: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (includeSelf) out['.'] = {};
  const pes = sortPathElements([...new Set([...node.members, ...node.children.keys()])]);
  for (const pe of pes) {
    const child = node.children.get(pe);
    out[pe] = child && !child.empty() ? encode(child, node.members.has(pe)) : {};
  }
  return out;
}

/** Reads FieldsV1 JSON back; unknown shapes (non-objects) are ignored rather than trusted. */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  decode(fields, set);
  return set;
}

function decode(json: unknown, node: FieldSet): void {
  if (!isRecord(json)) return;
  for (const [pe, sub] of Object.entries(json)) {
    if (pe === '.') continue;
    const subtree = isRecord(sub) ? sub : {};
    const keys = Object.keys(subtree);
    if (keys.length === 0 || '.' in subtree) node.members.add(pe);
    if (keys.some((k) => k !== '.')) decode(subtree, node.child(pe));
  }
}
