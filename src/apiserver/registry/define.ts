// Builds a ResourceStrategy with the validation every resource shares (ObjectMeta on create,
// immutable metadata on update) in front of its own.
import type { KubeObject } from '../../api/types.js';
import { validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from './meta-validation.js';
import type { ResourceStrategy } from './strategy.js';

export function defineResource<T extends KubeObject = KubeObject>(
  s: ResourceStrategy<T> & { nameValidator?: NameValidator },
): ResourceStrategy {
  const { nameValidator, validate, validateUpdate, ...rest } = s;
  const out: ResourceStrategy<T> = {
    ...rest,
    validate: (obj, ctx) => [
      ...validateObjectMeta(obj, { namespaced: s.namespaced, nameValidator }),
      ...(validate?.(obj, ctx) ?? []),
    ],
    validateUpdate: (obj, old, ctx) => [
      ...validateObjectMetaUpdate(obj, old),
      ...(validateUpdate?.(obj, old, ctx) ?? []),
    ],
  };
  return out as unknown as ResourceStrategy;
}

/** Gets or creates an object field in place. */
export function ensureObject<T extends object>(parent: Record<string, unknown>, key: string): T {
  const cur = parent[key];
  if (cur && typeof cur === 'object' && !Array.isArray(cur)) return cur as T;
  const fresh = {} as T;
  parent[key] = fresh;
  return fresh;
}

export function setDefault(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (obj[key] === undefined) obj[key] = value;
}
