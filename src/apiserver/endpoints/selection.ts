// Turns list/watch query parameters into a watch-cache selection: namespace key prefix plus
// label and field selector predicate.
import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';
import type { CacheSelection } from '../../storage/cacher-types.js';
import type { ResourceStrategy } from '../registry/strategy.js';

type Getter = (obj: KubeObject) => string | undefined;

function fieldGetters(st: ResourceStrategy): Record<string, Getter> {
  return {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => (st.namespaced ? o.metadata.namespace : ''),
    ...(st.fieldSelectors as Record<string, Getter> | undefined),
  };
}

export function selectionFor(
  st: ResourceStrategy,
  prefix: string,
  namespace: string | undefined,
  query: URLSearchParams,
  /** served form of a stored object (conversion for storedAs resources) */
  view: (stored: KubeObject) => KubeObject,
): CacheSelection {
  const sel: CacheSelection = {};
  if (st.namespaced && namespace) sel.keyPrefix = `${prefix}${namespace}/`;
  const ls = query.get('labelSelector') ?? '';
  const fs = query.get('fieldSelector') ?? '';
  const predicates: ((o: KubeObject) => boolean)[] = [];
  if (ls.trim() !== '') {
    const matcher = parseLabelSelector(ls);
    predicates.push((o) => matcher.matches(o.metadata.labels ?? {}));
  }
  if (fs.trim() !== '') {
    const getters = fieldGetters(st);
    const reqs = parseFieldSelector(fs);
    for (const r of reqs) {
      if (!(r.field in getters)) {
        // resources without field selectors of their own answer as runtime's default conversion;
        // custom resources (fieldSelectors set, maybe empty) as apiextensions' crConverter
        const onlyMeta = !st.fieldSelectors;
        throw badRequest(
          onlyMeta
            ? `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
            : `field label not supported: ${r.field}`,
        );
      }
    }
    predicates.push((o) => {
      const v = view(o);
      return reqs.every((r) => {
        const actual = getters[r.field](v) ?? '';
        return r.operator === '!=' ? actual !== r.value : actual === r.value;
      });
    });
  }
  if (predicates.length) sel.matches = (o) => predicates.every((p) => p(o));
  return sel;
}
