import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DISCOVERY_CONTENT_TYPES,
  buildDiscovery,
  negotiateDiscovery,
  storageVersionHash,
} from '../../../src/apiserver/discovery/discovery.js';
import { fixtureStrategies } from './fixture.js';

interface Resource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

const docs = buildDiscovery(fixtureStrategies, '127.0.0.1:6443');
const resources = (gv: string) => (docs.resourceLists.get(gv) as { resources: Resource[] }).resources;

test('/api lists v1 and the address clients reach the server at', () => {
  assert.deepEqual(docs.apiVersions, {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  });
});

test('/apis lists groups in upstream priority order, autoscaling preferring v2', () => {
  const list = docs.groupList as {
    groups: { name: string; versions: { groupVersion: string }[]; preferredVersion: { version: string } }[];
  };
  assert.deepEqual(
    list.groups.map((g) => g.name),
    ['apps', 'autoscaling', 'batch', 'rbac.authorization.k8s.io'],
  );
  const autoscaling = list.groups[1];
  assert.deepEqual(
    autoscaling.versions.map((v) => v.groupVersion),
    ['autoscaling/v2', 'autoscaling/v1'],
  );
  assert.deepEqual(autoscaling.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
  assert.deepEqual(docs.groups.get('apps'), {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: 'apps',
    versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
  });
});

test('/api/v1 lists resources and subresources sorted by name, as upstream', () => {
  assert.deepEqual(
    resources('v1').map((r) => r.name),
    [
      'namespaces',
      'namespaces/finalize',
      'namespaces/status',
      'pods',
      'pods/attach',
      'pods/binding',
      'pods/ephemeralcontainers',
      'pods/eviction',
      'pods/exec',
      'pods/log',
      'pods/portforward',
      'pods/proxy',
      'pods/status',
      'serviceaccounts',
      'serviceaccounts/token',
    ],
  );
});

test('a resource entry carries singularName, verbs, shortNames, categories and storageVersionHash', () => {
  const pods = resources('v1').find((r) => r.name === 'pods');
  assert.deepEqual(pods, {
    name: 'pods',
    singularName: 'pod',
    namespaced: true,
    kind: 'Pod',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['po'],
    categories: ['all'],
    storageVersionHash: 'xPOwRZ+Yhw8=',
  });
  const ns = resources('v1').find((r) => r.name === 'namespaces');
  assert.deepEqual(ns?.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
});

test('storageVersionHash is base64 of the first 8 bytes of sha256(group/version/kind)', () => {
  assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
  assert.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
});

test('subresources name their own group, version and kind where upstream does', () => {
  const find = (gv: string, name: string) => resources(gv).find((r) => r.name === name);
  assert.deepEqual(find('apps/v1', 'deployments/scale'), {
    name: 'deployments/scale',
    singularName: '',
    namespaced: true,
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
    verbs: ['get', 'patch', 'update'],
  });
  assert.deepEqual(find('apps/v1', 'deployments/status'), {
    name: 'deployments/status',
    singularName: '',
    namespaced: true,
    kind: 'Deployment',
    verbs: ['get', 'patch', 'update'],
  });
  assert.deepEqual(find('v1', 'pods/eviction'), {
    name: 'pods/eviction',
    singularName: '',
    namespaced: true,
    group: 'policy',
    version: 'v1',
    kind: 'Eviction',
    verbs: ['create'],
  });
  assert.equal(find('v1', 'pods/log')?.kind, 'Pod');
  assert.deepEqual(find('v1', 'pods/exec')?.verbs, ['create', 'get']);
  assert.deepEqual(find('v1', 'pods/binding')?.verbs, ['create']);
  assert.equal(find('v1', 'serviceaccounts/token')?.group, 'authentication.k8s.io');
  assert.equal(find('v1', 'serviceaccounts/token')?.kind, 'TokenRequest');
  assert.deepEqual(find('v1', 'namespaces/finalize')?.verbs, ['update']);
  assert.equal(find('batch/v1', 'jobs/scale'), undefined);
});

test('aggregated discovery groups resources with nested subresources', () => {
  const core = docs.aggregatedCore as { kind: string; apiVersion: string; items: Record<string, unknown>[] };
  assert.equal(core.kind, 'APIGroupDiscoveryList');
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.deepEqual(core.items[0].metadata, { creationTimestamp: null });
  const groups = docs.aggregatedGroups as {
    items: {
      metadata: { name: string };
      versions: { version: string; freshness: string; resources: Record<string, unknown>[] }[];
    }[];
  };
  assert.deepEqual(
    groups.items.map((g) => g.metadata.name),
    ['apps', 'autoscaling', 'batch', 'rbac.authorization.k8s.io'],
  );
  assert.deepEqual(
    groups.items[1].versions.map((v) => v.version),
    ['v2', 'v1'],
  );
  const deployments = groups.items[0].versions[0].resources[0];
  assert.deepEqual(deployments, {
    resource: 'deployments',
    responseKind: { group: '', version: '', kind: 'Deployment' },
    scope: 'Namespaced',
    singularResource: 'deployment',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [
      {
        subresource: 'scale',
        responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      },
      {
        subresource: 'status',
        responseKind: { group: '', version: '', kind: 'Deployment' },
        verbs: ['get', 'patch', 'update'],
      },
    ],
  });
  assert.equal(groups.items[0].versions[0].freshness, 'Current');
  const clusterroles = groups.items[3].versions[0].resources[0];
  assert.equal(clusterroles.scope, 'Cluster');
  assert.equal('subresources' in clusterroles, false);
});

test("kubectl 1.31's Accept header gets aggregated v2 discovery", () => {
  const kubectl =
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
  assert.equal(negotiateDiscovery(kubectl), 'aggregated-v2');
  assert.equal(
    DISCOVERY_CONTENT_TYPES['aggregated-v2'],
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  );
});

test('older and plain clients get v2beta1 or the legacy documents', () => {
  assert.equal(
    negotiateDiscovery(
      'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
    ),
    'aggregated-v2beta1',
  );
  assert.equal(negotiateDiscovery('application/json'), 'legacy');
  assert.equal(negotiateDiscovery('*/*'), 'legacy');
  assert.equal(negotiateDiscovery(undefined), 'legacy');
  assert.equal(
    negotiateDiscovery(
      'application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    ),
    'legacy',
  );
  assert.equal(
    negotiateDiscovery(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,application/json',
    ),
    'legacy',
  );
  assert.equal(
    negotiateDiscovery(
      'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    ),
    'legacy',
  );
});
