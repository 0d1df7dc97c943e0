// The packaged ingress add-on: `ingress.yaml` holds the default IngressClass `k8ts` of
// controller k8ts.io/ingress-controller; `--disable ingress` removes the file and hands back
// the objects to delete; unknown add-on names are refused at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDisable, parseManifest, stagePackagedManifests } from '../../../src/deploy/manifests.js';
import { isServed, ourClasses } from '../../../src/ingress/classes.js';
import type { KubeObject } from '../../../src/api/types.js';

test('ingress.yaml is the default IngressClass k8ts; --disable ingress removes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-manifests-'));
  try {
    const opts = { clusterDomain: 'cluster.local', storageDir: '/tmp/x' };
    stagePackagedManifests(dir, { ...opts, disable: new Set() });
    const [cls] = parseManifest(readFileSync(join(dir, 'ingress.yaml'), 'utf8'), 'ingress.yaml');
    assert.equal(cls.apiVersion, 'networking.k8s.io/v1');
    assert.equal(cls.kind, 'IngressClass');
    assert.equal(cls.metadata.name, 'k8ts');
    assert.deepEqual(cls.metadata.annotations, { 'ingressclass.kubernetes.io/is-default-class': 'true' });
    assert.deepEqual(cls.spec, { controller: 'k8ts.io/ingress-controller' });
    const staged = stagePackagedManifests(dir, { ...opts, disable: parseDisable(['ingress']) });
    assert.equal(existsSync(join(dir, 'ingress.yaml')), false);
    assert.deepEqual(
      staged.removed.map((o) => `${o.kind}/${o.metadata.name}`),
      ['IngressClass/k8ts'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(
    () => parseDisable(['traefik']),
    /invalid --disable "traefik": want one of coredns, local-storage, ingress/,
  );
});

test('which Ingresses the controller serves', () => {
  const cls = (name: string, controller: string, isDefault = false): KubeObject => ({
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: { controller },
  });
  const ing = (spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
    metadata: { name: 'i', namespace: 'd', ...(annotations ? { annotations } : {}) },
    spec,
  });
  const ours = ourClasses([
    cls('k8ts', 'k8ts.io/ingress-controller', true),
    cls('nginx', 'k8s.io/ingress-nginx'),
  ]);
  assert.deepEqual(
    ours.map((c) => c.metadata.name),
    ['k8ts'],
  );
  assert.equal(isServed(ing({ ingressClassName: 'k8ts' }), ours), true);
  assert.equal(isServed(ing({ ingressClassName: 'nginx' }), ours), false);
  assert.equal(isServed(ing({}), ours), true);
  assert.equal(isServed(ing({}, { 'kubernetes.io/ingress.class': 'nginx' }), ours), false);
  assert.equal(isServed(ing({}, { 'kubernetes.io/ingress.class': 'k8ts' }), ours), true);
  const notDefault = ourClasses([cls('k8ts', 'k8ts.io/ingress-controller')]);
  assert.equal(isServed(ing({}), notDefault), false);
});
