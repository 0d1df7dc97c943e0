// A ResourceStrategy for one served version of a custom resource, built from its CRD: the
// structural schema validates, defaults and prunes; status and scale subresources and printer
// columns come from the version; objects live under /registry/<group>/<plural>/ in the storage
// version (conversion None: only apiVersion changes between versions; Webhook: the version's
// storage converts, see converting-storage.ts).
import { StatusError } from '../../api/errors.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { defineResource } from '../registry/define.js';
import type { ResourceStrategy, TableColumn } from '../registry/strategy.js';
import { age, nameColumn } from '../registry/table.js';
import type { FieldError } from '../registry/validation.js';
import { definitionName } from './definitions.js';
import { evaluateJSONPath, parseJSONPath } from './jsonpath.js';
import { applyDefaults, prune } from './prune.js';
import type { CRDVersion, CustomResourceDefinition, JSONSchemaProps, PrinterColumn } from './types.js';
import { compileRules, evaluateRules } from './cel-rules.js';
import { selectableFieldGetters } from './selectable.js';
import { validateValue, type Correlated } from './validate.js';

const CREATION_TIMESTAMP_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** upstream's serveDefaultColumnsIfEmpty */
function columnsOf(v: CRDVersion): PrinterColumn[] {
  const cols = v.additionalPrinterColumns ?? [];
  if (cols.length) return cols;
  return [
    {
      name: 'Age',
      type: 'date',
      description: CREATION_TIMESTAMP_DOC,
      jsonPath: '.metadata.creationTimestamp',
    },
  ];
}

function cell(type: string, value: unknown, now: Date): unknown {
  switch (type) {
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : age(value, now);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

function table(v: CRDVersion): ResourceStrategy['table'] {
  const cols = columnsOf(v);
  const paths = cols.map((c) => parseJSONPath(c.jsonPath));
  const columns: TableColumn[] = [
    nameColumn,
    ...cols.map((c) => {
      const col: TableColumn = {
        name: c.name,
        type: c.type as TableColumn['type'],
        description: c.description ?? '',
        priority: c.priority ?? 0,
      };
      if (c.format) col.format = c.format;
      return col;
    }),
  ];
  return {
    columns,
    cells: (obj, now) => [
      obj.metadata.name,
      ...cols.map((c, i) => {
        const steps = paths[i];
        const found = steps ? evaluateJSONPath(obj, steps) : [];
        return found.length ? cell(c.type, found[0], now) : null;
      }),
    ],
  };
}

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.').filter(Boolean)) cur = isRecord(cur) ? cur[part] : undefined;
  return cur;
}

export interface ServedVersion {
  crd: CustomResourceDefinition;
  version: CRDVersion;
  /** The CRD is being deleted: creates are refused. */
  terminating: () => boolean;
}

/** Objects of this CRD are converted by a webhook (by the version's storage), not relabelled. */
export const isWebhookConverted = (crd: CustomResourceDefinition) =>
  crd.spec.conversion?.strategy === 'Webhook';

export function customResourceStrategy({ crd, version, terminating }: ServedVersion): ResourceStrategy {
  const spec = crd.spec;
  const names = { ...spec.names, ...crd.status?.acceptedNames } as Required<
    CustomResourceDefinition['spec']['names']
  >;
  const schema: JSONSchemaProps = version.schema?.openAPIV3Schema ?? {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const storage = spec.versions.find((v) => v.storage)?.name ?? version.name;
  const converted = isWebhookConverted(crd);
  const group = spec.group;
  const scale = version.subresources?.scale;
  // Rules were compiled when the CRD was written; a failure here means an older k8ts stored it.
  const rules = compileRules(schema, 'openAPIV3Schema').node;
  // prepareForUpdate runs before validate on updates: those objects get their rules evaluated
  // once, with the old object, in validateUpdate.
  const updating = new WeakSet<object>();
  const bodySchema = { ...schema, properties: withoutMetadata(schema.properties) };
  const schemaErrors = (obj: KubeObject, old: KubeObject | undefined): FieldError[] => {
    const errs: FieldError[] = [];
    const { metadata: _m, ...rest } = obj;
    let prior: Correlated | undefined;
    if (old) {
      const { metadata: _o, ...oldRest } = old;
      prior = { old: oldRest };
    }
    validateValue(rest, bodySchema, '', errs, prior);
    return errs;
  };
  const st: ResourceStrategy & { nameValidator?: undefined } = {
    group,
    version: version.name,
    resource: names.plural,
    kind: names.kind,
    singularName: names.singular || names.kind.toLowerCase(),
    namespaced: spec.scope === 'Namespaced',
    definition: definitionName(group, version.name, names.kind),
    status: version.subresources?.status !== undefined,
    generation: true,
    noStrategicMerge: true,
    storedAs: {
      group,
      resource: `${group}/${spec.names.plural}`,
      // with webhook conversion the version's ConvertingStorage converts what it writes
      toStored: (obj) => (converted ? obj : { ...obj, apiVersion: `${group}/${storage}` }),
      fromStored: (obj) => obj,
    },
    prune: (obj) => prune(obj as unknown as Record<string, unknown>, schema),
    defaults: (obj) => applyDefaults(obj, schema),
    prepareForCreate: () => {
      if (terminating())
        throw new StatusError(
          405,
          'MethodNotAllowed',
          'create not allowed while custom resource definition is terminating',
        );
    },
    prepareForUpdate: (obj) => {
      updating.add(obj);
    },
    validate: (obj) => {
      // updates are validated in validateUpdate, against the old object (ratcheting)
      if (updating.has(obj)) return [];
      const errs = schemaErrors(obj, undefined);
      if (rules && !errs.length) errs.push(...evaluateRules(rules, obj, undefined));
      return errs;
    },
    validateUpdate: (obj, old) => {
      // CRDValidationRatcheting: errors in parts equal to the old object are not reported
      const errs = schemaErrors(obj, old);
      if (rules && !errs.length) errs.push(...evaluateRules(rules, obj, old, { ratchet: true }));
      return errs;
    },
    table: table(version),
  };
  // always set, empty without selectableFields: unknown labels are then refused with
  // apiextensions' "field label not supported: <label>", not the built-ins' text
  st.fieldSelectors = selectableFieldGetters(version);
  if (names.shortNames?.length) st.shortNames = names.shortNames;
  if (names.categories?.length) st.categories = names.categories;
  if (scale) {
    st.scale = {
      specReplicasPath: scale.specReplicasPath,
      statusReplicasPath: scale.statusReplicasPath,
    };
    if (scale.labelSelectorPath) {
      const path = scale.labelSelectorPath;
      st.scale.labelSelectorPath = path;
      st.scale.selector = (obj: KubeObject) => {
        const s = at(obj, path);
        return typeof s === 'string' ? s : '';
      };
    }
  }
  return defineResource(st);
}

function withoutMetadata(props: JSONSchemaProps['properties']): JSONSchemaProps['properties'] {
  if (!props) return props;
  const { metadata: _m, ...rest } = props;
  return rest;
}
