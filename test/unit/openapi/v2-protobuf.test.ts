import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Definitions } from '../../../src/api/schema/dsl.js';
import { buildOpenAPIV2 } from '../../../src/apiserver/openapi/build.js';
import {
  OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
  encodeOpenAPIV2Protobuf,
  prefersOpenAPIV2Protobuf,
} from '../../../src/apiserver/openapi/v2-protobuf.js';
import { fixtureStrategies } from '../discovery/fixture.js';
import { decodeMessage, named, sub, subs, text, texts } from './protobuf-decode.js';

const definitions: Definitions = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object' },
  'io.k8s.api.core.v1.Container': { type: 'object' },
  'io.k8s.api.apps.v1.Deployment': {
    description: 'a deployment',
    type: 'object',
    properties: {
      metadata: { $ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'metadata' },
      replicas: { type: 'integer', format: 'int32' },
      strategy: { type: 'string', enum: ['Recreate', 'RollingUpdate'] },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      containers: {
        type: 'array',
        items: { $ref: 'io.k8s.api.core.v1.Container' },
        'x-kubernetes-patch-merge-key': 'name',
      },
    },
    required: ['replicas'],
    'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
  },
};

const v2 = buildOpenAPIV2(fixtureStrategies, definitions);
const doc = decodeMessage(encodeOpenAPIV2Protobuf(v2));

test('the document header decodes back: swagger version and info', () => {
  assert.equal(text(doc, 1), '2.0');
  const info = sub(doc, 2);
  assert.equal(text(info, 1), 'Kubernetes');
  assert.equal(text(info, 2), 'v1.31.0');
});

test('definitions decode back with type, format, refs, enums, maps, arrays and extensions', () => {
  const defs = named(sub(doc, 9), 1);
  const deployment = defs.get('io.k8s.api.apps.v1.Deployment')!;
  assert.equal(text(deployment, 4), 'a deployment');
  assert.deepEqual(texts(sub(deployment, 22), 1), ['object']);
  assert.deepEqual(texts(deployment, 19), ['replicas']);
  const gvk = named(deployment, 31).get('x-kubernetes-group-version-kind')!;
  assert.deepEqual(JSON.parse(text(gvk, 2)!), [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);

  const props = named(sub(deployment, 25), 1);
  const metadata = props.get('metadata')!;
  assert.equal(text(metadata, 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(text(metadata, 4), 'metadata');
  const replicas = props.get('replicas')!;
  assert.deepEqual(texts(sub(replicas, 22), 1), ['integer']);
  assert.equal(text(replicas, 2), 'int32');
  const strategy = props.get('strategy')!;
  assert.deepEqual(
    subs(strategy, 20).map((any) => JSON.parse(text(any, 2)!)),
    ['Recreate', 'RollingUpdate'],
  );
  const labels = props.get('labels')!;
  assert.deepEqual(texts(sub(sub(sub(labels, 21), 1), 22), 1), ['string']);
  const containers = props.get('containers')!;
  assert.equal(text(sub(sub(containers, 23), 1), 1), '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(JSON.parse(text(named(containers, 31).get('x-kubernetes-patch-merge-key')!, 2)!), 'name');
});

test('paths decode back with operations, parameters, responses and the GVK extension', () => {
  const paths = named(sub(doc, 8), 2);
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
  const patch = sub(item, 8);
  assert.equal(text(patch, 5), 'patchAppsV1NamespacedDeployment');
  assert.ok(texts(patch, 7).includes('application/strategic-merge-patch+json'));
  const params = subs(patch, 8).map((p) => sub(p, 1));
  const body = sub(params[0], 1);
  assert.equal(text(body, 2), 'body');
  assert.equal(text(body, 3), 'body');
  assert.equal(text(sub(body, 5), 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  const queryNames = params.slice(1).map((p) => text(sub(sub(p, 2), 3), 4));
  assert.ok(queryNames.includes('fieldValidation'));
  const ext = named(patch, 13);
  assert.deepEqual(JSON.parse(text(ext.get('x-kubernetes-group-version-kind')!, 2)!), {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
  });
  assert.equal(JSON.parse(text(ext.get('x-kubernetes-action')!, 2)!), 'patch');
  const responses = named(sub(patch, 9), 1);
  const ok = sub(responses.get('200')!, 1);
  assert.equal(text(ok, 1), 'OK');
  assert.equal(text(sub(sub(ok, 2), 1), 1), '#/definitions/io.k8s.api.apps.v1.Deployment');
  // path-level parameters: name is a path parameter (path_parameter_sub_schema = 4)
  const pathParams = subs(item, 9).map((p) => sub(sub(p, 1), 2));
  const name = sub(pathParams[0], 4);
  assert.equal(text(name, 4), 'name');
  assert.equal(text(name, 2), 'path');
  assert.deepEqual(name.get(1), [1]);
});

test("client-go's Accept for /openapi/v2 gets protobuf, answered with upstream's parseable Content-Type", () => {
  assert.equal(prefersOpenAPIV2Protobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
  assert.equal(prefersOpenAPIV2Protobuf('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), true);
  assert.equal(prefersOpenAPIV2Protobuf('application/json'), false);
  assert.equal(prefersOpenAPIV2Protobuf(undefined), false);
  assert.equal(
    prefersOpenAPIV2Protobuf('application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'),
    false,
  );
  // '@' is not a MIME token character; Go's mime.ParseMediaType rejects it in a Content-Type
  assert.equal(
    OPENAPI_V2_PROTOBUF_CONTENT_TYPE,
    'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
  );
});
