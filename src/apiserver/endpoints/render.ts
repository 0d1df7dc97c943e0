// Response bodies for objects and lists: plain JSON/YAML, Table (server-side printing) and
// PartialObjectMetadata, as the client's Accept header asks.
import { stringify as toYAML } from 'yaml';
import type { KubeObject } from '../../api/types.js';
import type { CachedObject } from '../../storage/cacher-types.js';
import type { OutputChoice } from '../http/negotiate.js';
import { defaultTable } from '../registry/table.js';
import type { ResourceStore } from './store.js';
import { ordered } from './object-json.js';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function contentTypeOf(choice: OutputChoice): string {
  return choice.encoding === 'yaml' ? 'application/yaml' : 'application/json';
}

export function encode(value: unknown, choice: OutputChoice): string {
  return choice.encoding === 'yaml' ? toYAML(value) : JSON.stringify(value);
}

function partialMeta(obj: KubeObject, metaVersion: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: obj.metadata };
}

/** A Table of the given (served-form) objects. */
export function toTable(
  store: ResourceStore,
  objects: KubeObject[],
  listMeta: ListMeta | undefined,
  choice: OutputChoice,
  includeObject: string | null,
  withColumns = true,
): Record<string, unknown> {
  const table = store.strategy.table ?? defaultTable;
  const now = new Date();
  const rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: table.cells(o, now) };
    if (includeObject === 'Object') row.object = o;
    else if (includeObject !== 'None') row.object = partialMeta(o, choice.metaVersion);
    return row;
  });
  const out: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${choice.metaVersion}`,
    metadata: listMeta ?? {},
  };
  if (withColumns) out.columnDefinitions = table.columns;
  out.rows = rows;
  return out;
}

/** Renders one object as the client asked. */
export function renderObject(
  store: ResourceStore,
  obj: KubeObject,
  choice: OutputChoice,
  query: URLSearchParams,
): string {
  switch (choice.shape) {
    case 'Table':
      return encode(
        toTable(
          store,
          [obj],
          { resourceVersion: obj.metadata.resourceVersion ?? '' },
          choice,
          query.get('includeObject'),
        ),
        choice,
      );
    case 'PartialObjectMetadata':
      return encode(partialMeta(obj, choice.metaVersion), choice);
    default:
      return encode(ordered(obj), choice);
  }
}

/**
 * Renders a list. The plain-JSON path splices the cache's memoized JSON texts together so a
 * 10,000-item list is not re-serialized object by object.
 */
export function renderList(
  store: ResourceStore,
  items: CachedObject[],
  listMeta: ListMeta,
  choice: OutputChoice,
  query: URLSearchParams,
): string {
  const st = store.strategy;
  const listKind = `${st.kind}List`;
  if (choice.shape === 'Table') {
    return encode(
      toTable(
        store,
        items.map((i) => store.view(i.obj)),
        listMeta,
        choice,
        query.get('includeObject'),
      ),
      choice,
    );
  }
  if (choice.shape === 'PartialObjectMetadataList') {
    return encode(
      {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${choice.metaVersion}`,
        metadata: listMeta,
        items: items.map((i) => partialMeta(i.obj, choice.metaVersion)),
      },
      choice,
    );
  }
  if (choice.encoding === 'json' && !st.storedAs) {
    const head = `{"kind":"${listKind}","apiVersion":"${store.apiVersion}","metadata":${JSON.stringify(listMeta)},"items":[`;
    return head + items.map((i) => i.json()).join(',') + ']}';
  }
  const objs = items.map((i) => ordered(store.view(i.obj)));
  return encode({ kind: listKind, apiVersion: store.apiVersion, metadata: listMeta, items: objs }, choice);
}
