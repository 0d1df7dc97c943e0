import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from '../../../src/api/patch/strategic.js';
import { StatusError } from '../../../src/api/errors.js';
import { CONFIG, DEPLOYMENT, fixtureDefinitions } from './fixture-definitions.js';

const smp = (doc: unknown, patch: unknown, def = DEPLOYMENT): unknown =>
  applyStrategicMergePatch(doc, patch, def, fixtureDefinitions);

function deployment(containers: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: { replicas: 2, template: { spec: { containers, ...extra } } },
  };
}

const containersOf = (d: unknown): unknown =>
  (d as { spec: { template: { spec: { containers: unknown } } } }).spec.template.spec.containers;
const podSpecOf = (d: unknown): Record<string, unknown> =>
  (d as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;

function rejects(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

const app = { name: 'app', image: 'nginx:1', ports: [{ containerPort: 80, name: 'http' }], args: ['-v'] };

test('containers merge by name and keep the fields the patch does not mention', () => {
  const out = smp(deployment([app]), {
    spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } },
  });
  assert.deepEqual(containersOf(out), [{ ...app, image: 'nginx:2' }]);
});

test('ports merge by containerPort, keeping the port name', () => {
  const out = smp(deployment([app]), {
    spec: {
      template: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    },
  });
  assert.deepEqual(containersOf(out), [
    { ...app, ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] },
  ]);
});

test('a new container without $setElementOrder goes before the server-only ones, as upstream orders it', () => {
  const out = smp(deployment([app]), {
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
  });
  assert.deepEqual(containersOf(out), [{ name: 'sidecar', image: 'busybox' }, app]);
});

test('$setElementOrder puts the merged list in the given order', () => {
  const out = smp(deployment([app, { name: 'b', image: 'b' }]), {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'sidecar' }, { name: 'app' }],
          containers: [{ name: 'sidecar', image: 'busybox' }],
        },
      },
    },
  });
  assert.deepEqual(
    (containersOf(out) as { name: string }[]).map((c) => c.name),
    ['b', 'sidecar', 'app'],
  );
});

test('$setElementOrder: server-only items it does not list keep their place after the listed ones', () => {
  const out = smp(deployment([app, { name: 'b', image: 'b' }]), {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
          containers: [{ name: 'sidecar', image: 'busybox' }],
        },
      },
    },
  });
  assert.deepEqual(
    (containersOf(out) as { name: string }[]).map((c) => c.name),
    ['sidecar', 'app', 'b'],
  );
});

test('{$patch: delete} with the merge key removes that container', () => {
  const out = smp(deployment([app, { name: 'b', image: 'b' }]), {
    spec: { template: { spec: { containers: [{ name: 'app', $patch: 'delete' }] } } },
  });
  assert.deepEqual(containersOf(out), [{ name: 'b', image: 'b' }]);
});

test('{$patch: replace} in a merged list makes the rest of the patch the whole list', () => {
  const out = smp(deployment([app, { name: 'b', image: 'b' }]), {
    spec: { template: { spec: { containers: [{ name: 'c', image: 'c' }, { $patch: 'replace' }] } } },
  });
  assert.deepEqual(containersOf(out), [{ name: 'c', image: 'c' }]);
});

test('null removes a field and a map key; other keys stay', () => {
  const out = smp(deployment([app]), { metadata: { labels: { tier: null } }, spec: { replicas: null } }) as {
    metadata: { labels: unknown };
    spec: Record<string, unknown>;
  };
  assert.deepEqual(out.metadata.labels, { app: 'web' });
  assert.equal('replicas' in out.spec, false);
});

test('nulls inside a value the server does not have are dropped', () => {
  const out = smp(deployment([app]), { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } }) as {
    spec: { strategy: unknown };
  };
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

test('$patch: replace in a map replaces the map, $patch: delete empties it', () => {
  const replaced = smp(deployment([app]), { metadata: { labels: { $patch: 'replace', only: 'this' } } }) as {
    metadata: { labels: unknown };
  };
  assert.deepEqual(replaced.metadata.labels, { only: 'this' });
  const deleted = smp(deployment([app]), { metadata: { labels: { $patch: 'delete' } } }) as {
    metadata: { labels: unknown };
  };
  assert.deepEqual(deleted.metadata.labels, {});
});

test('a primitive list with patch strategy merge is a union, patch items first', () => {
  const out = smp(deployment([app]), { metadata: { finalizers: ['c', 'a'] } }) as {
    metadata: { finalizers: unknown };
  };
  assert.deepEqual(out.metadata.finalizers, ['c', 'a', 'b']);
});

test('$deleteFromPrimitiveList removes values from a merged primitive list', () => {
  const out = smp(deployment([app]), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }) as {
    metadata: { finalizers: unknown };
  };
  assert.deepEqual(out.metadata.finalizers, ['b']);
});

test('lists without patch strategy merge are replaced (args, atomic tolerations)', () => {
  const out = smp(deployment([app], { tolerations: [{ key: 'x' }] }), {
    spec: {
      template: { spec: { containers: [{ name: 'app', args: ['-q'] }], tolerations: [{ key: 'y' }] } },
    },
  });
  assert.deepEqual((containersOf(out) as { args: unknown }[])[0].args, ['-q']);
  assert.deepEqual(podSpecOf(out).tolerations, [{ key: 'y' }]);
});

test('$retainKeys drops the keys of a volume the patch does not keep (emptyDir -> hostPath)', () => {
  const doc = deployment([app], { volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }] });
  const out = smp(doc, {
    spec: {
      template: {
        spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['hostPath', 'name'] }] },
      },
    },
  });
  assert.deepEqual(podSpecOf(out).volumes, [{ name: 'data', hostPath: { path: '/srv' } }]);
});

test('schema-less fields (preserve-unknown-fields) merge maps and replace lists', () => {
  const doc = { settings: { a: { list: [1, 2], keep: true }, b: 1 } };
  const out = smp(doc, { settings: { a: { list: [3] }, b: null } }, CONFIG);
  assert.deepEqual(out, { settings: { a: { list: [3], keep: true } } });
});

test('map values that are structs merge per key', () => {
  const doc = { groups: { dev: { members: ['ann'], owner: 'ann' } } };
  const out = smp(doc, { groups: { dev: { owner: 'bob' }, ops: { owner: 'cy' } } }, CONFIG);
  assert.deepEqual(out, { groups: { dev: { members: ['ann'], owner: 'bob' }, ops: { owner: 'cy' } } });
});

test('the document and the patch are not modified', () => {
  const doc = deployment([app]);
  const patch = { spec: { template: { spec: { containers: [{ name: 'app', $patch: 'delete' }] } } } };
  const before = [JSON.stringify(doc), JSON.stringify(patch)];
  smp(doc, patch);
  assert.deepEqual([JSON.stringify(doc), JSON.stringify(patch)], before);
});

test('errors carry upstream texts and codes', () => {
  const doc = deployment([app]);
  const containers = (c: unknown[]): unknown => ({ spec: { template: { spec: { containers: c } } } });
  rejects(
    () => smp(doc, containers([{ image: 'x' }])),
    500,
    'map: map[image:x] does not contain declared merge key: name',
  );
  rejects(
    () => smp(doc, containers([{ name: 'app', $patch: 'merge' }])),
    500,
    'merging lists cannot yet be specified in the patch',
  );
  rejects(
    () => smp(doc, { metadata: { labels: { $patch: 'foo', a: 'b' } } }),
    500,
    'unknown patch type: foo in map: map[$patch:foo a:b]',
  );
  rejects(() => smp(doc, { metadata: { $retainKeys: 'name' } }), 400, 'invalid patch format of retainKeys');
  rejects(
    () => smp(doc, { metadata: { $retainKeys: ['name'], labels: {} } }),
    400,
    'invalid patch format of retainKeys',
  );
  rejects(
    () => smp(doc, { spec: { template: { spec: { '$setElementOrder/containers': 'x' } } } }),
    400,
    'invalid patch format of setElementOrder list',
  );
  const noFinalizers = { metadata: { finalizers: [] } };
  rejects(
    () => smp(noFinalizers, { metadata: { finalizers: [['x']] } }),
    422,
    'the server rejected our request due to an error in our request',
  );
  rejects(
    () => smp(doc, { metadata: { finalizers: [['x']] } }),
    500,
    'list element types are not identical: [[a b] [[x]]]',
  );
  rejects(
    () => smp(doc, ['x']),
    400,
    'json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
});
