// DefaultIngressClass as a client sees it: a new Ingress naming no class gets the default
// IngressClass (the newest of several defaults, upstream's getDefaultClass), an explicit class
// or the legacy kubernetes.io/ingress.class annotation is left alone, and nothing is set when no
// class is the default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, type Cluster } from './fixture.js';
import {
  defaultIngressClass,
  pickDefaultIngressClass,
} from '../../../src/apiserver/admission/default-ingress-class.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [defaultIngressClass(deps)]);
});
after(() => c.close());

const NET = 'networking.k8s.io';
const cls = (name: string, isDefault?: string) => ({
  apiVersion: `${NET}/v1`,
  kind: 'IngressClass',
  metadata: {
    name,
    ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': isDefault } } : {}),
  },
  spec: { controller: `example.com/${name}` },
});
const ing = (name: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>) => ({
  apiVersion: `${NET}/v1`,
  kind: 'Ingress',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, ...spec },
});
const className = (o: KubeObject) => (o.spec as { ingressClassName?: string }).ingressClassName;

test('no default class: the Ingress keeps no class; then the default class is set at create', async () => {
  assert.equal(className(await c.create('ingresses', ing('before'), 'default', NET)), undefined);
  await c.create('ingressclasses', cls('other', 'false'), '', NET);
  assert.equal(className(await c.create('ingresses', ing('not-default'), 'default', NET)), undefined);
  await c.create('ingressclasses', cls('k8ts', 'true'), '', NET);
  assert.equal(className(await c.create('ingresses', ing('defaulted'), 'default', NET)), 'k8ts');
});

test('an explicit class and the legacy annotation are left alone', async () => {
  const named = await c.create('ingresses', ing('named', { ingressClassName: 'other' }), 'default', NET);
  assert.equal(className(named), 'other');
  const legacy = await c.create(
    'ingresses',
    ing('legacy', {}, { 'kubernetes.io/ingress.class': 'nginx' }),
    'default',
    NET,
  );
  assert.equal(className(legacy), undefined);
});

test('several defaults: the newest wins, then the first name', () => {
  const at = (name: string, ts: string): KubeObject => ({
    ...cls(name, 'true'),
    metadata: { ...cls(name, 'true').metadata, creationTimestamp: ts },
  });
  const older = at('a-old', '2024-01-01T00:00:00Z');
  const newer = at('z-new', '2024-06-01T00:00:00Z');
  const tie = at('b-tie', '2024-06-01T00:00:00Z');
  assert.equal(pickDefaultIngressClass([older, newer])?.metadata.name, 'z-new');
  assert.equal(pickDefaultIngressClass([newer, tie, older])?.metadata.name, 'b-tie');
  assert.equal(pickDefaultIngressClass([cls('x', 'false') as KubeObject]), undefined);
});
