// Building blocks shared by the core/v1 definition files: the kind and list shapes, and the
// list/map extensions that decide how strategic merge patch and server-side apply treat a field.
import type { Definition, PropSchema } from './dsl.js';
import { LIST_META, OBJECT_META, arr, obj, ref, str, t } from './dsl.js';

/** Prefix of every core/v1 definition name. */
export const P = 'io.k8s.api.core.v1';

type ListExt = Pick<
  PropSchema,
  | 'x-kubernetes-list-type'
  | 'x-kubernetes-list-map-keys'
  | 'x-kubernetes-patch-strategy'
  | 'x-kubernetes-patch-merge-key'
>;

/** Replaced as a whole by patches and owned as a whole by one apply manager. */
export const atomic: ListExt = { 'x-kubernetes-list-type': 'atomic' };
/** A list of unique scalars, merged element by element. */
export const set: ListExt = { 'x-kubernetes-list-type': 'set' };
/** A set of scalars that strategic merge patch also merges (e.g. finalizers, podCIDRs). */
export const mergeSet: ListExt = { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' };
/** Strategic merge patch merges by this key; server-side apply has no key for the list. */
export const mergeBy = (key: string): ListExt => ({
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': key,
});
/** Keyed for server-side apply only; strategic merge patch replaces the list. */
export const keyedBy = (...keys: string[]): ListExt => ({
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': keys,
});
/** Keyed for both, with a patch strategy other than plain merge (e.g. 'merge,retainKeys'). */
export const mergeKeyed = (strategy: string, ...keys: string[]): ListExt => ({
  ...keyedBy(...keys),
  'x-kubernetes-patch-strategy': strategy,
  'x-kubernetes-patch-merge-key': keys[0],
});

/** base64-encoded bytes, as in Secret.data. */
export const bytes: PropSchema = { type: 'string', format: 'byte' };

/** A struct that is replaced and owned as a whole (upstream's +structType=atomic). */
export const atomicStruct = (d: Definition): Definition => ({ ...d, 'x-kubernetes-map-type': 'atomic' });

const gvk = (kind: string) => [{ group: '', version: 'v1', kind }];

/** A top-level core/v1 kind: apiVersion, kind and metadata plus its own fields. */
export function kind(
  name: string,
  description: string,
  properties: Record<string, PropSchema>,
  required?: string[],
): Definition {
  return obj(
    description,
    {
      apiVersion: str('The versioned schema of this object, here v1.'),
      kind: str(`The kind of this object, here ${name}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...properties,
    },
    { required, gvk: gvk(name) },
  );
}

/** The list form of a core/v1 kind, as returned by list requests. */
export function listOf(kindName: string): Definition {
  return obj(
    `A list of ${kindName} objects.`,
    {
      apiVersion: str('The versioned schema of this list, here v1.'),
      items: arr(t.ref(`${P}.${kindName}`), `The ${kindName} objects.`),
      kind: str(`The kind of this list, here ${kindName}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kindName}List`) },
  );
}
