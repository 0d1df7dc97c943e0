// The garbage collector's graph: edges follow ownerReferences, unseen owners are virtual,
// and the transitions tell the collector whom to look at again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { Graph } from '../../../src/controllers/garbagecollector/graph.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
function cm(
  name: string,
  uid: string,
  owners: { uid: string; block?: boolean }[] = [],
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid,
      ownerReferences: owners.map((o) => ({
        ...CM,
        name: `n-${o.uid}`,
        uid: o.uid,
        blockOwnerDeletion: o.block,
      })),
      ...extra,
    },
  };
}

describe('garbage collector graph', () => {
  it('makes an unseen owner a virtual node, and real once observed', () => {
    const g = new Graph();
    const t = g.observe(cm('dep', 'd', [{ uid: 'o' }]), CM);
    assert.deepEqual(
      t.newVirtualOwners.map((n) => n.identity.uid),
      ['o'],
    );
    assert.equal(g.get('o')?.virtual, true);
    assert.equal(g.get('o')?.identity.namespace, 'ns');
    const t2 = g.observe(cm('owner', 'o'), CM);
    assert.equal(t2.wasVirtual, true);
    assert.equal(g.get('o')?.virtual, false);
    assert.deepEqual(
      [...g.get('o')!.dependents].map((n) => n.identity.uid),
      ['d'],
    );
  });

  it('reports owners a dependent stops blocking', () => {
    const g = new Graph();
    g.observe(cm('owner', 'o'), CM);
    g.observe(cm('dep', 'd', [{ uid: 'o', block: true }]), CM);
    assert.equal(g.blockingDependents(g.get('o')!).length, 1);
    const t = g.observe(cm('dep', 'd', [{ uid: 'o', block: false }]), CM);
    assert.deepEqual(
      t.unblockedOwners.map((n) => n.identity.uid),
      ['o'],
    );
    assert.equal(g.blockingDependents(g.get('o')!).length, 0);
    const t2 = g.observe(cm('dep', 'd'), CM);
    assert.deepEqual(t2.unblockedOwners, []);
    assert.equal(g.get('o')!.dependents.size, 0);
  });

  it('sees foreground and orphan deletion start from the finalizers', () => {
    const g = new Graph();
    const ts = '2026-01-01T00:00:00Z';
    const fg = g.observe(cm('a', 'a', [], { deletionTimestamp: ts, finalizers: ['foregroundDeletion'] }), CM);
    assert.equal(fg.startedForeground, true);
    assert.equal(
      g.observe(cm('a', 'a', [], { deletionTimestamp: ts, finalizers: ['foregroundDeletion'] }), CM)
        .startedForeground,
      false,
    );
    const or = g.observe(cm('b', 'b', [], { deletionTimestamp: ts, finalizers: ['orphan'] }), CM);
    assert.equal(or.startedOrphan, true);
    // finalizers without a deletionTimestamp mean nothing yet
    assert.equal(g.observe(cm('c', 'c', [], { finalizers: ['orphan'] }), CM).startedOrphan, false);
  });

  it('keeps a deleted owner as virtual while dependents still name it', () => {
    const g = new Graph();
    g.observe(cm('owner', 'o'), CM);
    g.observe(cm('dep', 'd', [{ uid: 'o' }]), CM);
    const { dependents } = g.remove('o');
    assert.deepEqual(
      dependents.map((n) => n.identity.uid),
      ['d'],
    );
    assert.equal(g.get('o')?.virtual, true);
    const { owners } = g.remove('d');
    assert.deepEqual(
      owners.map((n) => n.identity.uid),
      ['o'],
    );
    assert.equal(g.get('o'), undefined, 'a virtual owner nobody names is forgotten');
    assert.equal(g.size, 0);
  });

  it('forgets a virtual owner when the last reference to it is dropped', () => {
    const g = new Graph();
    g.observe(cm('dep', 'd', [{ uid: 'ghost' }]), CM);
    g.observe(cm('dep', 'd'), CM);
    assert.equal(g.get('ghost'), undefined);
  });
});
