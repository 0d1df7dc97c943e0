// k3s's packaged add-ons: `k8ts server` writes <data-dir>/server/manifests/coredns.yaml and
// creates its objects when missing (kubectl edits survive a restart); --disable coredns
// removes the file and the objects; a user's own manifest in that directory is applied too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('auto-deployed manifests (coredns)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--enable-coredns', '--disable-controller-manager', '--disable-scheduler']);
  });
  after(async () => {
    await s?.stop();
    if (s) cleanup(s);
  });

  it('creates the coredns add-on in kube-system, shaped as k3s ships it', async () => {
    const out = await until('coredns deployment', async () => {
      const r = await s.kubectl([
        'get',
        'deployment',
        '-n',
        'kube-system',
        '-l',
        'k8s-app=kube-dns',
        '-o',
        'json',
      ]);
      const items = (JSON.parse(r.stdout) as { items: unknown[] }).items;
      return items.length ? r.stdout : undefined;
    });
    const d = (JSON.parse(out) as { items: Record<string, any>[] }).items[0]; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads a Deployment
    assert.equal(d.metadata.name, 'coredns');
    assert.equal(d.spec.replicas, 1);
    const pod = d.spec.template.spec;
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    assert.equal(pod.serviceAccountName, 'coredns');
    assert.equal(pod.dnsPolicy, 'Default');
    assert.deepEqual(
      pod.tolerations.map((t: { key: string }) => t.key),
      ['CriticalAddonsOnly', 'node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'],
    );
    assert.equal(pod.containers[0].readinessProbe.httpGet.port, 8181);
    assert.equal(pod.containers[0].livenessProbe.httpGet.path, '/health');
    const cr = await s.kubectl([
      'get',
      'clusterrole',
      'system:coredns',
      '-o',
      'jsonpath={.rules[*].resources}',
    ]);
    assert.match(cr.stdout, /endpoints.*services.*pods.*namespaces/);
    const crb = await s.kubectl([
      'get',
      'clusterrolebinding',
      'system:coredns',
      '-o',
      'jsonpath={.subjects[0].name}',
    ]);
    assert.equal(crb.stdout, 'coredns');
    const can = await s.kubectl([
      'auth',
      'can-i',
      'watch',
      'endpointslices.discovery.k8s.io',
      '--as',
      'system:serviceaccount:kube-system:coredns',
    ]);
    assert.equal(can.stdout.trim(), 'yes');
    const cm = await s.kubectl([
      'get',
      'configmap',
      'coredns',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.data.Corefile}',
    ]);
    assert.match(cm.stdout, /kubernetes cluster\.local in-addr\.arpa ip6\.arpa/);
    assert.ok(existsSync(join(s.dataDir, 'server', 'manifests', 'coredns.yaml')));
  });

  it('keeps kubectl edits across a restart and applies a user manifest from the directory', async () => {
    const scaled = await s.kubectl(['scale', 'deployment', 'coredns', '-n', 'kube-system', '--replicas=2']);
    assert.equal(scaled.stdout.trim(), 'deployment.apps/coredns scaled');
    writeFileSync(
      join(s.dataDir, 'server', 'manifests', 'extra.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-manifest\n  namespace: default\ndata:\n  a: "1"\n',
    );
    await s.stop();
    s = await startServer(['--enable-coredns', '--disable-controller-manager', '--disable-scheduler'], {
      dir: s.dir,
      port: s.port,
    });
    const cm = await until('user manifest applied', async () => {
      const r = await s.kubectl(['get', 'configmap', 'from-manifest', '-o', 'jsonpath={.data.a}']);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.equal(cm, '1');
    const replicas = await s.kubectl([
      'get',
      'deployment',
      'coredns',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.spec.replicas}',
    ]);
    assert.equal(replicas.stdout, '2');
  });

  it('--disable coredns removes the manifest and its objects; unknown names are refused', async () => {
    await s.stop();
    s = await startServer(['--disable-controller-manager', '--disable-scheduler', '--disable=coredns'], {
      dir: s.dir,
      port: s.port,
    });
    await until('coredns deleted', async () => {
      const r = await s.kubectl(['get', 'deployment', 'coredns', '-n', 'kube-system']);
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    });
    assert.equal(existsSync(join(s.dataDir, 'server', 'manifests', 'coredns.yaml')), false);
    const sa = await s.kubectl(['get', 'serviceaccount', 'coredns', '-n', 'kube-system']);
    assert.match(sa.stderr, /serviceaccounts "coredns" not found/);
  });
});
