// Pod GC rules and the TTL-after-finished expiry, with fake informers and a recording client.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';
import type { ControllerContext } from '../../../src/controller-manager/context.js';
import { PodGCController, terminatedToDelete } from '../../../src/controllers/podgc/controller.js';
import { expiresAt } from '../../../src/controllers/ttlafterfinished/controller.js';

function pod(
  name: string,
  extra: { phase?: string; node?: string; created?: string; deleting?: boolean; reason?: string } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z',
      deletionTimestamp: extra.deleting ? '2026-01-01T00:01:00Z' : undefined,
    },
    spec: { nodeName: extra.node },
    status: { phase: extra.phase ?? 'Running', reason: extra.reason },
  };
}

function fakeCtx(pods: KubeObject[], nodes: KubeObject[], liveNodes: string[] = []) {
  const calls: string[] = [];
  const informer = (items: KubeObject[]) => ({
    list: () => items,
    get: (k: string) => items.find((o) => o.metadata.name === k),
  });
  const ctx = {
    informers: { informer: (path: string) => (path.endsWith('/pods') ? informer(pods) : informer(nodes)) },
    client: {
      request: async (method: string, path: string) => {
        calls.push(`${method} ${path}`);
        if (method === 'GET' && path.startsWith('/api/v1/nodes/')) {
          if (liveNodes.includes(path.split('/').pop()!)) return {};
          throw new StatusError(404, 'NotFound', 'not found');
        }
        return {};
      },
    },
    flags: { 'terminated-pod-gc-threshold': '1' },
  } as unknown as ControllerContext;
  return { ctx, calls };
}

describe('pod GC', () => {
  it('deletes the oldest terminated pods beyond the threshold, evicted ones first', () => {
    const pods = [
      pod('new', { phase: 'Succeeded', created: '2026-01-03T00:00:00Z' }),
      pod('old', { phase: 'Failed', created: '2026-01-01T00:00:00Z' }),
      pod('evicted', { phase: 'Failed', created: '2026-01-05T00:00:00Z', reason: 'Evicted' }),
      pod('running'),
    ];
    assert.deepEqual(
      terminatedToDelete(pods, 1).map((p) => p.metadata.name),
      ['evicted', 'old'],
    );
    assert.deepEqual(terminatedToDelete(pods, 3), []);
  });

  it('force-deletes pods of a node gone for longer than the quarantine, after a live GET', async () => {
    let now = 0;
    const { ctx, calls } = fakeCtx(
      [pod('orphan', { node: 'gone' }), pod('kept', { node: 'back' })],
      [],
      ['back'],
    );
    const gc = new PodGCController(ctx, () => now);
    await gc.gc();
    assert.deepEqual(calls, [], 'first sighting starts the quarantine');
    now = 41_000;
    await gc.gc();
    assert.deepEqual(calls, [
      'GET /api/v1/nodes/gone',
      'PUT /api/v1/namespaces/ns/pods/orphan/status',
      'DELETE /api/v1/namespaces/ns/pods/orphan',
      'GET /api/v1/nodes/back',
    ]);
  });

  it('force-deletes terminating pods that were never scheduled', async () => {
    const { ctx, calls } = fakeCtx([pod('unscheduled', { deleting: true })], []);
    await new PodGCController(ctx).gc();
    assert.deepEqual(calls, [
      'PUT /api/v1/namespaces/ns/pods/unscheduled/status',
      'DELETE /api/v1/namespaces/ns/pods/unscheduled',
    ]);
  });
});

describe('TTL after finished', () => {
  const job = (ttl: number | undefined, cond?: string): KubeObject => ({
    metadata: { name: 'j' },
    spec: { ttlSecondsAfterFinished: ttl },
    status: cond
      ? { conditions: [{ type: cond, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] }
      : {},
  });
  it('expires ttlSecondsAfterFinished after the Complete or Failed transition', () => {
    assert.equal(expiresAt(job(10, 'Complete')), Date.parse('2026-01-01T00:00:10Z'));
    assert.equal(expiresAt(job(0, 'Failed')), Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(expiresAt(job(10)), undefined, 'still running');
    assert.equal(expiresAt(job(undefined, 'Complete')), undefined, 'no TTL');
  });
});
