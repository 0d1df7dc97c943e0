// What a kubectl user sees for the everyday verbs against a real k8ts server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

describe('kubectl against k8ts: everyday verbs', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    const r = await s.kubectl(['create', 'namespace', 'it']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('prints the server version', async () => {
    const r = await s.kubectl(['version']);
    assert.match(r.stdout, /Server Version: v1\.31\./);
  });

  it('creates, reads back with server-set fields, and refuses a duplicate', async () => {
    let r = await s.kubectl(['-n', 'it', 'create', 'configmap', 'cm1', '--from-literal=a=1']);
    assert.equal(r.stdout.trim(), 'configmap/cm1 created');
    r = await s.kubectl(['-n', 'it', 'get', 'configmap', 'cm1', '-o', 'yaml']);
    assert.match(r.stdout, /uid: [0-9a-f-]{36}/);
    assert.match(r.stdout, /creationTimestamp: "20\d\d-/);
    assert.match(r.stdout, /resourceVersion: "\d+"/);
    r = await s.kubectl(['-n', 'it', 'create', 'configmap', 'cm1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'error: failed to create configmap: configmaps "cm1" already exists');
  });

  it('reports NotFound and Invalid like upstream', async () => {
    let r = await s.kubectl(['-n', 'it', 'get', 'configmap', 'nope']);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): configmaps "nope" not found');
    r = await s.kubectl(['-n', 'it', 'create', 'configmap', 'Bad_Name']);
    assert.match(
      r.stderr,
      /error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character \(e\.g\. 'example\.com', regex used for validation is/,
    );
  });

  it('labels, annotates and selects', async () => {
    await s.kubectl(['-n', 'it', 'create', 'configmap', 'sel', '--from-literal=x=y']);
    assert.equal(
      (await s.kubectl(['-n', 'it', 'label', 'configmap', 'sel', 'tier=web'])).stdout.trim(),
      'configmap/sel labeled',
    );
    assert.equal(
      (await s.kubectl(['-n', 'it', 'annotate', 'configmap', 'sel', 'note=hi'])).stdout.trim(),
      'configmap/sel annotated',
    );
    let r = await s.kubectl(['-n', 'it', 'get', 'configmap', '-l', 'tier=web', '--no-headers']);
    assert.match(r.stdout, /^sel +1 +\d+s\n$/);
    r = await s.kubectl(['-n', 'it', 'get', 'configmap', '-l', 'tier!=web', '-o', 'name']);
    assert.doesNotMatch(r.stdout, /configmap\/sel/);
    r = await s.kubectl([
      '-n',
      'it',
      'get',
      'configmap',
      '--field-selector',
      'metadata.name=sel',
      '-o',
      'name',
    ]);
    assert.equal(r.stdout.trim(), 'configmap/sel');
    r = await s.kubectl([
      '-n',
      'it',
      'get',
      'configmap',
      'sel',
      '-o',
      'jsonpath={.metadata.annotations.note}',
    ]);
    assert.equal(r.stdout, 'hi');
    r = await s.kubectl([
      '-n',
      'it',
      'get',
      'configmap',
      'sel',
      '-o',
      'custom-columns=N:.metadata.name,T:.metadata.labels.tier',
      '--no-headers',
    ]);
    assert.match(r.stdout, /^sel +web\n$/);
  });

  it('applies the three patch types', async () => {
    await s.kubectl(['-n', 'it', 'create', 'configmap', 'p', '--from-literal=a=1']);
    let r = await s.kubectl([
      '-n',
      'it',
      'patch',
      'configmap',
      'p',
      '--type',
      'merge',
      '-p',
      '{"data":{"b":"2"}}',
    ]);
    assert.equal(r.stdout.trim(), 'configmap/p patched');
    r = await s.kubectl([
      '-n',
      'it',
      'patch',
      'configmap',
      'p',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/data/c","value":"3"}]',
    ]);
    assert.equal(r.stdout.trim(), 'configmap/p patched');
    r = await s.kubectl(['-n', 'it', 'patch', 'configmap', 'p', '-p', '{"data":{"d":"4"}}']);
    assert.equal(r.stdout.trim(), 'configmap/p patched');
    r = await s.kubectl(['-n', 'it', 'get', 'configmap', 'p', '-o', 'jsonpath={.data}']);
    assert.equal(r.stdout, '{"a":"1","b":"2","c":"3","d":"4"}');
    r = await s.kubectl([
      '-n',
      'it',
      'patch',
      'configmap',
      'p',
      '--type',
      'merge',
      '-p',
      '{"data":{"d":"4"}}',
    ]);
    assert.equal(r.stdout.trim(), 'configmap/p patched (no change)');
  });

  it('deletes', async () => {
    await s.kubectl(['-n', 'it', 'create', 'configmap', 'gone']);
    const r = await s.kubectl(['-n', 'it', 'delete', 'configmap', 'gone']);
    assert.equal(r.stdout.trim(), 'configmap "gone" deleted');
    assert.equal((await s.kubectl(['-n', 'it', 'get', 'configmap', 'gone'])).code, 1);
  });

  it('refuses creates in a namespace that does not exist', async () => {
    const r = await s.kubectl(['-n', 'missing', 'create', 'configmap', 'x']);
    assert.equal(r.stderr.trim(), 'error: failed to create configmap: namespaces "missing" not found');
  });

  it('has the system namespaces and the kubernetes Service', async () => {
    let r = await s.kubectl(['get', 'namespaces', '--no-headers']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      assert.match(r.stdout, new RegExp(`^${ns} +Active `, 'm'));
    r = await s.kubectl(['-n', 'default', 'get', 'svc', 'kubernetes', '--no-headers']);
    assert.match(r.stdout, /^kubernetes +ClusterIP +10\.43\.0\.1 +<none> +443\/TCP +\d+s\n$/);
    r = await s.kubectl(['get', 'priorityclasses', '--no-headers']);
    assert.match(r.stdout, /system-cluster-critical +2000000000 +false/);
  });
});
