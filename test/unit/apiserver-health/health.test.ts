// /healthz, /livez, /readyz bodies and status codes as kube-apiserver v1.31 writes them
// (k8s.io/apiserver/pkg/server/healthz: "[+]name ok", "[-]name failed: reason withheld",
// "<endpoint> check passed|failed", `?verbose`, `?exclude=`, one check at /<endpoint>/<name>).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datastoreProbe, healthChecks, serveHealth } from '../../../src/apiserver/health.js';
import type { Storage } from '../../../src/storage/types.js';

function checks(etcdError?: string, synced = true, shuttingDown = false) {
  return healthChecks({
    datastore: async () => {
      if (etcdError) throw new Error(etcdError);
    },
    synced: () => synced,
    shuttingDown: () => shuttingDown,
  });
}
const q = (s = '') => new URLSearchParams(s);

describe('health endpoints', () => {
  it('answers "ok" when healthy, and lists the checks with ?verbose', async () => {
    assert.deepEqual(await serveHealth(checks(), '/readyz', q()), { status: 200, body: 'ok' });
    assert.deepEqual(await serveHealth(checks(), '/readyz', q('verbose')), {
      status: 200,
      body: '[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    });
    assert.deepEqual(await serveHealth(checks(), '/livez', q('verbose=1')), {
      status: 200,
      body: '[+]ping ok\n[+]etcd ok\nlivez check passed\n',
    });
    assert.equal(
      (await serveHealth(checks(), '/healthz', q('verbose')))!.body.endsWith('healthz check passed\n'),
      true,
    );
  });

  it('fails with 500, every check listed and the reason withheld, when the datastore is unreachable', async () => {
    const r = await serveHealth(checks('context deadline exceeded'), '/readyz', q());
    assert.deepEqual(r, {
      status: 500,
      body:
        '[+]ping ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n' +
        '[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n',
    });
    assert.deepEqual(await serveHealth(checks('x'), '/livez', q()), {
      status: 500,
      body: '[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n',
    });
  });

  it('skips excluded checks and warns about names it has not', async () => {
    const r = await serveHealth(
      checks('down'),
      '/readyz',
      q('exclude=etcd&exclude=etcd-readiness&exclude=nope&verbose'),
    );
    assert.deepEqual(r, {
      status: 200,
      body:
        '[+]ping ok\n[+]etcd excluded: ok\n[+]etcd-readiness excluded: ok\n[+]informer-sync ok\n[+]shutdown ok\n' +
        'warn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n',
    });
  });

  it('runs one check at /<endpoint>/<name>, and knows no others', async () => {
    assert.deepEqual(await serveHealth(checks(), '/readyz/etcd', q()), { status: 200, body: 'ok' });
    assert.deepEqual(await serveHealth(checks('context deadline exceeded'), '/livez/etcd', q()), {
      status: 500,
      body: 'internal server error: context deadline exceeded\n',
    });
    assert.equal(await serveHealth(checks(), '/readyz/nope', q()), undefined);
    assert.equal(await serveHealth(checks(), '/livez/informer-sync', q()), undefined);
    assert.equal(await serveHealth(checks(), '/readyzz', q()), undefined);
  });

  it('fails readiness while shutting down and before the caches synced, not liveness', async () => {
    const stopping = await serveHealth(checks(undefined, true, true), '/readyz', q());
    assert.equal(stopping!.status, 500);
    assert.match(stopping!.body, /\[-\]shutdown failed: reason withheld\n/);
    const starting = await serveHealth(checks(undefined, false), '/readyz', q());
    assert.match(starting!.body, /\[-\]informer-sync failed: reason withheld\n/);
    assert.equal((await serveHealth(checks(undefined, false, true), '/livez', q()))!.status, 200);
  });

  it('probes the datastore at most once a second, and gives up after 2 s', async () => {
    let reads = 0;
    let t = 0;
    const storage = { get: async () => void reads++ } as unknown as Storage;
    const probe = datastoreProbe(storage, () => t);
    await probe();
    await probe();
    assert.equal(reads, 1);
    t += 1000;
    await probe();
    assert.equal(reads, 2);
    const hung = { get: () => new Promise(() => undefined) } as unknown as Storage;
    await assert.rejects(datastoreProbe(hung)(), /context deadline exceeded/);
  });

  it('with kms providers: kms-providers on all three endpoints, after etcd (readyz: after etcd-readiness)', async () => {
    const plugin: { error?: string } = {};
    const c = healthChecks({
      datastore: async () => undefined,
      synced: () => true,
      shuttingDown: () => false,
      kmsProviders: async () => {
        if (plugin.error) throw new Error(plugin.error);
      },
    });
    assert.equal(
      (await serveHealth(c, '/readyz', q('verbose')))!.body,
      '[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]kms-providers ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    assert.equal(
      (await serveHealth(c, '/livez', q('verbose')))!.body,
      '[+]ping ok\n[+]etcd ok\n[+]kms-providers ok\nlivez check passed\n',
    );
    plugin.error =
      'kms-provider-0: failed to perform status section of the healthz check for KMS Provider k, error: x';
    assert.deepEqual(await serveHealth(c, '/healthz', q()), {
      status: 500,
      body: '[+]ping ok\n[+]etcd ok\n[-]kms-providers failed: reason withheld\nhealthz check failed\n',
    });
    assert.deepEqual(await serveHealth(c, '/healthz/kms-providers', q()), {
      status: 500,
      body: `internal server error: ${plugin.error}\n`,
    });
  });
});
