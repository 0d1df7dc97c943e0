// The real helm v3.17 against k8ts: install, upgrade, history, rollback, list and uninstall of a
// local chart with the usual kinds plus a CRD (crds/) and a custom resource. Helm keeps its
// releases in protobuf-encoded Secrets, so this also covers that request encoding.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

const HELM = join(ROOT, '.bin-tools', 'helm');
const CHART = join(ROOT, 'test', 'fixtures', 'charts', 'widgets');

describe('helm against k8ts', () => {
  let s: TestServer;
  const helm = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = {
        ...process.env,
        HELM_CACHE_HOME: join(s.dir, 'helm', 'cache'),
        HELM_CONFIG_HOME: join(s.dir, 'helm', 'config'),
        HELM_DATA_HOME: join(s.dir, 'helm', 'data'),
      };
      execFile(
        HELM,
        ['--kubeconfig', s.kubeconfig, '-n', 'default', ...args],
        { env, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('installs a chart with a CRD and a custom resource', async () => {
    const r = await helm(['install', 'demo', CHART]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^STATUS: deployed$/m);
    assert.match(r.stdout, /^REVISION: 1$/m);
    const got = await s.kubectl([
      '-n',
      'default',
      'get',
      'widget,deploy,svc,cm,secret,sa,role,rolebinding',
      '-l',
      'app.kubernetes.io/instance=demo',
      '-o',
      'name',
    ]);
    assert.deepEqual(got.stdout.trim().split('\n').sort(), [
      'configmap/demo-config',
      'deployment.apps/demo',
      'role.rbac.authorization.k8s.io/demo-widgets',
      'rolebinding.rbac.authorization.k8s.io/demo-widgets',
      'secret/demo-secret',
      'service/demo',
      'serviceaccount/demo',
      'widget.example.com/demo-widget',
    ]);
    const w = await s.kubectl(['-n', 'default', 'get', 'wd', 'demo-widget']);
    assert.match(w.stdout, /^NAME\s+SIZE\s+AGE\ndemo-widget\s+3\s+\d+s\n$/);
    const list = await helm(['list']);
    assert.match(list.stdout, /^demo\s+default\s+1\s+.*\s+deployed\s+widgets-0\.1\.0\s+1\.0\.0\s*$/m);
  });

  it('upgrades, keeps history and rolls back', async () => {
    let r = await helm(['upgrade', 'demo', CHART, '--set', 'widget.size=7', '--set', 'greeting=hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Release "demo" has been upgraded\. Happy Helming!/);
    let spec = await s.kubectl(['-n', 'default', 'get', 'wd', 'demo-widget', '-o', 'jsonpath={.spec}']);
    assert.deepEqual(JSON.parse(spec.stdout), { color: 'blue', size: 7 });
    const cm = await s.kubectl([
      '-n',
      'default',
      'get',
      'cm',
      'demo-config',
      '-o',
      'jsonpath={.data.greeting}',
    ]);
    assert.equal(cm.stdout, 'hi');
    r = await helm(['history', 'demo']);
    assert.match(r.stdout, /^1\s+.*superseded\s+widgets-0\.1\.0\s+1\.0\.0\s+Install complete\s*$/m);
    assert.match(r.stdout, /^2\s+.*deployed\s+widgets-0\.1\.0\s+1\.0\.0\s+Upgrade complete\s*$/m);
    r = await helm(['rollback', 'demo', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Rollback was a success! Happy Helming!/);
    spec = await s.kubectl(['-n', 'default', 'get', 'wd', 'demo-widget', '-o', 'jsonpath={.spec.size}']);
    assert.equal(spec.stdout, '3');
  });

  it('uninstalls the release and keeps the CRD, as helm does with crds/', async () => {
    const r = await helm(['uninstall', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'release "demo" uninstalled');
    const left = await s.kubectl([
      '-n',
      'default',
      'get',
      'widget,deploy,cm,secret',
      '-l',
      'app.kubernetes.io/instance=demo',
      '-o',
      'name',
    ]);
    assert.equal(left.stdout, '');
    const list = await helm(['list', '-q']);
    assert.equal(list.stdout, '');
    const crd = await s.kubectl(['get', 'crd', 'widgets.example.com', '-o', 'name']);
    assert.equal(crd.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com');
  });
});
