// What a ReplicaSet does when the server refuses its pods (a ResourceQuota, say): one request,
// not one per missing replica (slow start), a FailedCreate event in upstream's words, and the
// ReplicaFailure condition carrying the server's message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { FakeApi } from './fake-api.js';

const QUOTA =
  'pods "web-" is forbidden: exceeded quota: pod-demo, requested: pods=1, used: pods=2, limited: pods=2';

const web = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 1, resourceVersion: '1' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
  status: { replicas: 0 },
};

describe('replicaset controller when pod creation is refused', () => {
  it('tries once, records FailedCreate and sets ReplicaFailure/FailedCreate', async () => {
    const api = new FakeApi({ '/apis/apps/v1/replicasets': [web], '/api/v1/pods': [] }, (call) => {
      if (call.method === 'POST' && call.path.endsWith('/pods'))
        throw new StatusError(403, 'Forbidden', QUOTA);
      return call.body;
    });
    const { ctx, informers, recorders } = api.context();
    const rsc = new ReplicaSetController(ctx);
    informers.start();
    await informers.waitForSync();
    await assert.rejects(rsc.sync('ns/web'), new StatusError(403, 'Forbidden', QUOTA));
    await Promise.all(recorders.map((r) => r.flush()));
    assert.equal(api.writes('POST', '/pods').length, 1, 'slow start: the first batch of one failed');
    const events = api
      .writes('POST', '/events')
      .map((c) => c.body as { reason: string; message: string; type: string });
    assert.deepEqual(
      events.map((e) => [e.type, e.reason, e.message]),
      [['Warning', 'FailedCreate', `Error creating: ${QUOTA}`]],
    );
    const status = api
      .writes('PUT', '/replicasets/web/status')
      .map((c) => (c.body as { status: Record<string, unknown> }).status);
    assert.equal(status.length, 1);
    const conds = status[0].conditions as { type: string; status: string; reason: string; message: string }[];
    assert.deepEqual(
      conds.map((c) => [c.type, c.status, c.reason, c.message]),
      [['ReplicaFailure', 'True', 'FailedCreate', QUOTA]],
    );
    assert.equal(status[0].replicas, 0);
    assert.equal(status[0].observedGeneration, 1);
    // the creations never made are not waited for: the next sync tries again at once
    await assert.rejects(rsc.sync('ns/web'));
    assert.equal(api.writes('POST', '/pods').length, 2);
    rsc.stop();
    informers.dispose();
  });
});
