import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Definitions } from '../../../src/api/schema/dsl.js';
import { buildOpenAPIV2, buildOpenAPIV3, openAPIV3Hash } from '../../../src/apiserver/openapi/build.js';
import { danglingRefs } from '../../../src/apiserver/openapi/schemas.js';
import { fixtureStrategies } from '../discovery/fixture.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const gvk = (group: string, version: string, kind: string) => ({
  'x-kubernetes-group-version-kind': [{ group, version, kind }],
});
const kind = (description: string, spec: string, g: ReturnType<typeof gvk>): Definitions[string] => ({
  description,
  type: 'object',
  properties: {
    apiVersion: { type: 'string', description: 'schema version' },
    kind: { type: 'string', description: 'kind' },
    metadata: { $ref: `${META}.ObjectMeta`, description: 'standard object metadata' },
    spec: { $ref: spec },
  },
  ...g,
});

const definitions: Definitions = {
  [`${META}.ObjectMeta`]: { type: 'object', properties: { name: { type: 'string' } } },
  [`${META}.ListMeta`]: { type: 'object', properties: { continue: { type: 'string' } } },
  [`${META}.Status`]: { type: 'object', properties: { message: { type: 'string' } } },
  [`${META}.DeleteOptions`]: {
    type: 'object',
    properties: { dryRun: { type: 'array', items: { type: 'string' } } },
  },
  [`${META}.Patch`]: { type: 'object' },
  [`${META}.WatchEvent`]: { type: 'object', properties: { type: { type: 'string' } } },
  'io.k8s.api.core.v1.Pod': kind('a pod', 'io.k8s.api.core.v1.PodSpec', gvk('', 'v1', 'Pod')),
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    properties: {
      containers: {
        type: 'array',
        description: 'the containers',
        items: { $ref: 'io.k8s.api.core.v1.Container' },
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      },
    },
  },
  'io.k8s.api.core.v1.Container': {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
  },
  'io.k8s.api.core.v1.PodList': {
    type: 'object',
    properties: { items: { type: 'array', items: { $ref: 'io.k8s.api.core.v1.Pod' } } },
    ...gvk('', 'v1', 'PodList'),
  },
  'io.k8s.api.apps.v1.Deployment': kind(
    'a deployment',
    'io.k8s.api.apps.v1.DeploymentSpec',
    gvk('apps', 'v1', 'Deployment'),
  ),
  'io.k8s.api.apps.v1.DeploymentSpec': {
    type: 'object',
    properties: { replicas: { type: 'integer', format: 'int32' } },
  },
  'io.k8s.api.autoscaling.v1.Scale': { type: 'object', ...gvk('autoscaling', 'v1', 'Scale') },
};

interface V3Param {
  name: string;
  in: string;
}
interface V3Op {
  parameters?: V3Param[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action'?: string;
  operationId: string;
}
interface V3Doc {
  openapi: string;
  paths: Record<string, Record<string, V3Op | V3Param[]>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const v3 = buildOpenAPIV3(fixtureStrategies, definitions);
const doc = (key: string) => JSON.parse(v3.docs.get(key)!) as V3Doc;

/** kubectl's QueryParamVerifierV3: the first PATCH operation for the GVK must list the parameter. */
function supportsQueryParam(
  d: V3Doc,
  g: { group: string; version: string; kind: string },
  param: string,
): boolean {
  for (const item of Object.values(d.paths)) {
    const op = item.patch as V3Op | undefined;
    const opGvk = op?.['x-kubernetes-group-version-kind'];
    if (!op || !opGvk || opGvk.group !== g.group || opGvk.version !== g.version || opGvk.kind !== g.kind)
      continue;
    return (op.parameters ?? []).some((p) => p.name === param && p.in === 'query');
  }
  return false;
}

test('the v3 index points at one document per group-version with its SHA-512 hash', () => {
  assert.deepEqual(Object.keys(v3.index.paths).sort(), [
    'api/v1',
    'apis/apps/v1',
    'apis/autoscaling/v1',
    'apis/autoscaling/v2',
    'apis/batch/v1',
    'apis/rbac.authorization.k8s.io/v1',
  ]);
  const text = v3.docs.get('apis/apps/v1')!;
  const hash = createHash('sha512').update(text).digest('hex').toUpperCase();
  assert.equal(openAPIV3Hash(text), hash);
  assert.match(hash, /^[0-9A-F]{128}$/);
  assert.equal(v3.index.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${hash}`);
});

test('every PATCH operation declares fieldValidation, so kubectl leaves validation to the server', () => {
  assert.equal(
    supportsQueryParam(doc('api/v1'), { group: '', version: 'v1', kind: 'Pod' }, 'fieldValidation'),
    true,
  );
  assert.equal(
    supportsQueryParam(doc('api/v1'), { group: '', version: 'v1', kind: 'Namespace' }, 'fieldValidation'),
    true,
  );
  assert.equal(
    supportsQueryParam(
      doc('apis/apps/v1'),
      { group: 'apps', version: 'v1', kind: 'Deployment' },
      'fieldValidation',
    ),
    true,
  );
  for (const [path, item] of Object.entries(doc('apis/apps/v1').paths)) {
    const patch = item.patch as V3Op | undefined;
    if (patch)
      assert.ok(
        patch.parameters?.some((p) => p.name === 'fieldValidation'),
        path,
      );
  }
});

test('operations carry upstream operation ids, actions and group-version-kinds', () => {
  const d = doc('apis/apps/v1');
  const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  const get = item.get as V3Op;
  assert.equal(get.operationId, 'readAppsV1NamespacedDeployment');
  assert.equal(get['x-kubernetes-action'], 'get');
  assert.deepEqual(get['x-kubernetes-group-version-kind'], {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
  });
  assert.equal((item.put as V3Op)['x-kubernetes-action'], 'put');
  assert.equal((item.delete as V3Op)['x-kubernetes-action'], 'delete');
  const collection = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  assert.equal((collection.get as V3Op).operationId, 'listAppsV1NamespacedDeployment');
  assert.equal((collection.post as V3Op)['x-kubernetes-action'], 'post');
  assert.equal((collection.delete as V3Op)['x-kubernetes-action'], 'deletecollection');
  const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.equal((scale.patch as V3Op).operationId, 'patchAppsV1NamespacedDeploymentScale');
  assert.deepEqual((scale.patch as V3Op)['x-kubernetes-group-version-kind'], {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
  });
  const watch = d.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}'].get as V3Op;
  assert.equal(watch.operationId, 'watchAppsV1NamespacedDeployment');
  assert.equal(watch['x-kubernetes-action'], 'watch');
  const all = d.paths['/apis/apps/v1/deployments'].get as V3Op;
  assert.equal(all.operationId, 'listAppsV1DeploymentForAllNamespaces');
  const watchAll = d.paths['/apis/apps/v1/watch/deployments'].get as V3Op;
  assert.equal(watchAll.operationId, 'watchAppsV1DeploymentListForAllNamespaces');
  assert.equal(watchAll['x-kubernetes-action'], 'watchlist');
  assert.equal(
    (
      doc('apis/rbac.authorization.k8s.io/v1').paths['/apis/rbac.authorization.k8s.io/v1/clusterroles']
        .get as V3Op
    ).operationId,
    'listRbacAuthorizationV1ClusterRole',
  );
});

test('list operations take the list query parameters; the path item carries name, namespace and pretty', () => {
  const d = doc('api/v1');
  const item = d.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.deepEqual(
    (item.parameters as V3Param[]).map((p) => `${p.in}:${p.name}`),
    ['path:name', 'path:namespace', 'query:pretty'],
  );
  const list = d.paths['/api/v1/namespaces/{namespace}/pods'].get as V3Op;
  for (const name of [
    'labelSelector',
    'fieldSelector',
    'limit',
    'continue',
    'resourceVersion',
    'watch',
    'allowWatchBookmarks',
  ])
    assert.ok(
      list.parameters?.some((p) => p.name === name),
      name,
    );
});

test('resources without a verb get no operation for it', () => {
  const d = doc('api/v1');
  assert.equal(d.paths['/api/v1/namespaces'].delete, undefined);
  assert.ok(d.paths['/api/v1/namespaces'].post);
});

test('v3 schemas use components refs, wrapping refs that carry a description in allOf', () => {
  const d = doc('api/v1');
  assert.equal(d.openapi, '3.0.0');
  const pod = d.components.schemas['io.k8s.api.core.v1.Pod'] as { properties: Record<string, unknown> };
  assert.deepEqual(pod.properties.metadata, {
    allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }],
    description: 'standard object metadata',
  });
  assert.deepEqual(pod.properties.spec, { $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' });
  assert.deepEqual(d.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [
    { group: '', version: 'v1', kind: 'Pod' },
  ]);
  const containers = (
    d.components.schemas['io.k8s.api.core.v1.PodSpec'] as { properties: Record<string, unknown> }
  ).properties.containers as Record<string, unknown>;
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
});

test('a v3 document holds only the schemas its paths reach', () => {
  const names = Object.keys(doc('apis/apps/v1').components.schemas);
  assert.ok(names.includes('io.k8s.api.apps.v1.Deployment'));
  assert.ok(names.includes('io.k8s.api.autoscaling.v1.Scale'));
  assert.ok(names.includes(`${META}.ObjectMeta`));
  assert.ok(!names.includes('io.k8s.api.core.v1.Pod'));
  assert.ok(![...v3.docs.values()].some((text) => text.includes('#/definitions/')));
});

test('v2 is one swagger 2.0 document with #/definitions refs and descriptions beside $ref', () => {
  const v2 = buildOpenAPIV2(fixtureStrategies, definitions) as {
    swagger: string;
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema?: unknown }[] }>>;
    definitions: Record<string, { properties?: Record<string, unknown> }>;
  };
  assert.equal(v2.swagger, '2.0');
  assert.deepEqual(v2.definitions['io.k8s.api.core.v1.Pod'].properties!.metadata, {
    description: 'standard object metadata',
    $ref: `#/definitions/${META}.ObjectMeta`,
  });
  const patch = v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch.parameters![0], {
    name: 'body',
    in: 'body',
    required: true,
    schema: { $ref: `#/definitions/${META}.Patch` },
  });
  assert.ok(patch.parameters!.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.ok(v2.paths['/api/v1/namespaces/{namespace}/pods']);
  assert.ok(v2.paths['/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers']);
});

test('a ref to a missing definition degrades to an untyped schema instead of breaking the document', () => {
  const defs: Definitions = {
    ...definitions,
    'io.k8s.api.core.v1.PodSpec': {
      type: 'object',
      properties: { odd: { $ref: 'io.k8s.api.core.v1.Missing', description: 'kept' } },
    },
  };
  assert.deepEqual(danglingRefs(defs), [['io.k8s.api.core.v1.Missing', 'io.k8s.api.core.v1.PodSpec.odd']]);
  const d = JSON.parse(buildOpenAPIV3(fixtureStrategies, defs).docs.get('api/v1')!) as V3Doc;
  const spec = d.components.schemas['io.k8s.api.core.v1.PodSpec'] as { properties: Record<string, unknown> };
  assert.deepEqual(spec.properties.odd, { description: 'kept' });
});
