import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';
import { nodeAuthorizer, nodeIdentity } from '../../../src/apiserver/auth/node/authorizer.js';
import { NodeGraph } from '../../../src/apiserver/auth/node/graph.js';
import {
  checkNodeWrite,
  forbiddenNodeLabels,
  type NodeWrite,
} from '../../../src/apiserver/auth/node/restriction.js';
import { req } from './fake-source.js';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function pod(name: string, node: string | undefined, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: node, ...spec },
  };
}

function setup() {
  const graph = new NodeGraph();
  const objects = new Map<string, KubeObject>();
  const get = (group: string, resource: string, ns: string, name: string) =>
    objects.get(`${group}/${resource}/${ns}/${name}`);
  const put = (group: string, resource: string, o: KubeObject) =>
    objects.set(`${group}/${resource}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  const authz = nodeAuthorizer(graph, { get });
  const ask = (verb: string, resource: string, opts: Parameters<typeof req>[3] = {}) =>
    authz.authorize(req(n1, verb, resource, opts));
  return { graph, put, get, authz, ask };
}

describe('Node authorizer', () => {
  it('knows nodes by name prefix and group', () => {
    assert.equal(nodeIdentity(n1), 'n1');
    assert.equal(nodeIdentity({ name: 'system:node:n1', groups: [] }), undefined);
    assert.equal(nodeIdentity({ name: 'n1', groups: ['system:nodes'] }), undefined);
  });

  it('lets a node read only the secrets and configmaps of pods bound to it', () => {
    const { graph, ask } = setup();
    graph.upsertPod(
      'p1',
      pod('p1', 'n1', {
        volumes: [
          { name: 'v', secret: { secretName: 's1' } },
          { name: 'c', configMap: { name: 'cm1' } },
        ],
        containers: [{ envFrom: [{ secretRef: { name: 's-env' } }] }],
        imagePullSecrets: [{ name: 'pull' }],
      }),
    );
    graph.upsertPod('p2', pod('p2', 'n2', { volumes: [{ name: 'v', secret: { secretName: 's2' } }] }));
    for (const s of ['s1', 's-env', 'pull'])
      assert.equal(ask('get', 'secrets', { ns: 'default', name: s }).decision, 'allow', s);
    assert.equal(ask('get', 'configmaps', { ns: 'default', name: 'cm1' }).decision, 'allow');
    assert.deepEqual(ask('get', 'secrets', { ns: 'default', name: 's2' }), {
      decision: 'noOpinion',
      reason: "no relationship found between node 'n1' and this object",
    });
    assert.deepEqual(ask('list', 'secrets', { ns: 'default' }), {
      decision: 'noOpinion',
      reason: 'No Object name found',
    });
    assert.deepEqual(ask('delete', 'secrets', { ns: 'default', name: 's1' }), {
      decision: 'noOpinion',
      reason: 'can only read resources of this type',
    });
    // same secret name in another namespace is another object
    assert.equal(ask('get', 'secrets', { ns: 'other', name: 's1' }).decision, 'noOpinion');
  });

  it('forgets what a pod needed once it is gone or moved, but keeps what another pod still needs', () => {
    const { graph, ask } = setup();
    const spec = { volumes: [{ name: 'v', secret: { secretName: 's1' } }] };
    graph.upsertPod('p1', pod('p1', 'n1', spec));
    graph.upsertPod('p3', pod('p3', 'n1', spec));
    graph.removePod('p1');
    assert.equal(ask('get', 'secrets', { ns: 'default', name: 's1' }).decision, 'allow');
    graph.upsertPod('p3', pod('p3', 'n2', spec));
    assert.equal(ask('get', 'secrets', { ns: 'default', name: 's1' }).decision, 'noOpinion');
  });

  it('pods without references come and go in any order', () => {
    const { graph, ask } = setup();
    graph.upsertPod('a', pod('a', 'n1'));
    graph.upsertPod('b', pod('b', 'n1'));
    graph.upsertPod('c', pod('c', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's1' } }] }));
    graph.removePod('a');
    graph.removePod('c');
    graph.removePod('b');
    graph.removePod('b');
    assert.equal(ask('get', 'secrets', { ns: 'default', name: 's1' }).decision, 'noOpinion');
  });

  it('PVCs, PVs through their bound claim, service account tokens, leases', () => {
    const { graph, put, ask } = setup();
    graph.upsertPod(
      'p1',
      pod('p1', 'n1', {
        serviceAccountName: 'sa1',
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c1' } }],
      }),
    );
    put('', 'persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'c1', namespace: 'default' },
      spec: { volumeName: 'pv1' },
    });
    put('', 'persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: { claimRef: { namespace: 'default', name: 'c1' } },
    });
    assert.equal(ask('get', 'persistentvolumeclaims', { ns: 'default', name: 'c1' }).decision, 'allow');
    assert.equal(ask('get', 'persistentvolumes', { name: 'pv1' }).decision, 'allow');
    assert.equal(ask('get', 'persistentvolumes', { name: 'pv2' }).decision, 'noOpinion');
    // a secret the bound PV names is readable too
    put('', 'persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: {
        claimRef: { namespace: 'default', name: 'c1' },
        csi: { nodePublishSecretRef: { namespace: 'storage', name: 'creds' } },
      },
    });
    assert.equal(ask('get', 'secrets', { ns: 'storage', name: 'creds' }).decision, 'allow');
    assert.equal(ask('get', 'secrets', { ns: 'storage', name: 'other' }).decision, 'noOpinion');
    assert.equal(ask('create', 'serviceaccounts/token', { ns: 'default', name: 'sa1' }).decision, 'allow');
    assert.equal(
      ask('create', 'serviceaccounts/token', { ns: 'default', name: 'default' }).decision,
      'noOpinion',
    );
    assert.equal(
      ask('update', 'leases', { group: 'coordination.k8s.io', ns: 'kube-node-lease', name: 'n1' }).decision,
      'allow',
    );
    assert.deepEqual(
      ask('update', 'leases', { group: 'coordination.k8s.io', ns: 'kube-node-lease', name: 'n2' }),
      {
        decision: 'noOpinion',
        reason: 'can only access node lease with the same name as the requesting node',
      },
    );
  });

  it('everything else by the system:node rules; non-nodes get no opinion', () => {
    const { ask, authz } = setup();
    assert.equal(ask('list', 'pods').decision, 'allow');
    assert.equal(ask('patch', 'nodes/status', { name: 'n2' }).decision, 'allow'); // NodeRestriction narrows this
    assert.equal(ask('delete', 'nodes', { name: 'n1' }).decision, 'noOpinion');
    assert.deepEqual(authz.authorize(req({ name: 'jane', groups: [] }, 'list', 'pods')), {
      decision: 'noOpinion',
      reason: '',
    });
  });
});

function write(w: Partial<NodeWrite>): NodeWrite {
  return {
    operation: 'UPDATE',
    group: '',
    resource: 'nodes',
    subresource: '',
    namespace: '',
    name: '',
    object: undefined,
    oldObject: undefined,
    user: n1,
    ...w,
  };
}

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('NodeRestriction', () => {
  const objects = { get: () => undefined };
  const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: { taints },
  });

  it('a node modifies only its own Node, without taints or restricted labels', () => {
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({ subresource: 'status', name: 'n2', object: node('n2'), oldObject: node('n2') }),
          objects,
        ),
      ),
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    checkNodeWrite(
      write({ name: 'n1', object: node('n1', { 'kubernetes.io/hostname': 'n1' }), oldObject: node('n1') }),
      objects,
    );
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({ name: 'n1', object: node('n1', {}, [{ key: 'x' }]), oldObject: node('n1') }),
          objects,
        ),
      ),
      'nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
    );
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({
            name: 'n1',
            object: node('n1', { 'node-role.kubernetes.io/master': '' }),
            oldObject: node('n1'),
          }),
          objects,
        ),
      ),
      'nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master',
    );
    assert.deepEqual(
      forbiddenNodeLabels([
        'example.com/x',
        'node.kubernetes.io/exclude',
        'foo.node-restriction.kubernetes.io/a',
        'k8s.io/y',
      ]),
      ['foo.node-restriction.kubernetes.io/a', 'k8s.io/y'],
    );
  });

  it('pod status and deletion only for pods bound to the node; creation only of mirror pods', () => {
    const p2 = pod('p', 'n2');
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({
            resource: 'pods',
            subresource: 'status',
            namespace: 'default',
            name: 'p',
            object: p2,
            oldObject: p2,
          }),
          objects,
        ),
      ),
      'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    );
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({ operation: 'DELETE', resource: 'pods', namespace: 'default', name: 'p', oldObject: p2 }),
          objects,
        ),
      ),
      'pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
    );
    assert.equal(
      refusal(() =>
        checkNodeWrite(
          write({ operation: 'CREATE', resource: 'pods', namespace: 'default', object: pod('m', 'n1') }),
          objects,
        ),
      ),
      'pods "m" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    );
    const p1 = pod('p', 'n1');
    checkNodeWrite(
      write({
        resource: 'pods',
        subresource: 'status',
        namespace: 'default',
        name: 'p',
        object: p1,
        oldObject: p1,
      }),
      objects,
    );
  });

  it('leaves other users alone', () => {
    checkNodeWrite(
      write({
        name: 'n2',
        object: node('n2'),
        oldObject: node('n2'),
        user: { name: 'admin', groups: ['system:masters'] },
      }),
      objects,
    );
  });
});
