// Declarative management: apply, diff, server-side apply, explain, scale, dry-run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

const deployment = (replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ap
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
${extra}`;

describe('kubectl apply, diff, explain against k8ts', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.kubectl(['create', 'namespace', 'ap']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('apply creates, is idempotent, and configures', async () => {
    assert.equal(
      (await s.kubectl(['apply', '-f', '-'], deployment(2))).stdout.trim(),
      'deployment.apps/web created',
    );
    assert.equal(
      (await s.kubectl(['apply', '-f', '-'], deployment(2))).stdout.trim(),
      'deployment.apps/web unchanged',
    );
    const diff = await s.kubectl(['diff', '-f', '-'], deployment(3));
    assert.equal(diff.code, 1, diff.stderr);
    assert.match(diff.stdout, /- {2}replicas: 2\n\+ {2}replicas: 3/);
    assert.equal(
      (await s.kubectl(['apply', '-f', '-'], deployment(3))).stdout.trim(),
      'deployment.apps/web configured',
    );
  });

  it('shows upstream defaults on a minimal Deployment', async () => {
    const r = await s.kubectl(['-n', 'ap', 'get', 'deploy', 'web', '-o', 'yaml']);
    for (const line of [
      'progressDeadlineSeconds: 600',
      'revisionHistoryLimit: 10',
      'maxSurge: 25%',
      'maxUnavailable: 25%',
      'type: RollingUpdate',
      'terminationMessagePolicy: File',
      'terminationMessagePath: /dev/termination-log',
      'imagePullPolicy: IfNotPresent',
      'restartPolicy: Always',
      'dnsPolicy: ClusterFirst',
      'schedulerName: default-scheduler',
      'terminationGracePeriodSeconds: 30',
      'protocol: TCP',
      'generation: 2',
    ]) {
      assert.ok(r.stdout.includes(line), `missing "${line}" in\n${r.stdout}`);
    }
  });

  it('server-side apply records the manager', async () => {
    const r = await s.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment(3));
    assert.equal(r.stdout.trim(), 'deployment.apps/web serverside-applied', r.stderr);
    const y = await s.kubectl(['-n', 'ap', 'get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields']);
    assert.match(y.stdout, /manager: kubectl\n\s+operation: Apply/);
  });

  it('strategic merge patch merges containers by name', async () => {
    const r = await s.kubectl([
      '-n',
      'ap',
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}',
    ]);
    assert.equal(r.stdout.trim(), 'deployment.apps/web patched');
    const c = await s.kubectl([
      '-n',
      'ap',
      'get',
      'deploy',
      'web',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.metadata.generation}',
    ]);
    assert.match(c.stdout, /^nginx:1\.26 80 \d+$/);
  });

  it('scales through the scale subresource', async () => {
    assert.equal(
      (await s.kubectl(['-n', 'ap', 'scale', 'deploy', 'web', '--replicas=1'])).stdout.trim(),
      'deployment.apps/web scaled',
    );
    assert.equal(
      (await s.kubectl(['-n', 'ap', 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).stdout,
      '1',
    );
  });

  it('dry-run=server stores nothing', async () => {
    const r = await s.kubectl([
      '-n',
      'ap',
      'create',
      'configmap',
      'dry',
      '--from-literal=x=y',
      '--dry-run=server',
    ]);
    assert.equal(r.stdout.trim(), 'configmap/dry created (server dry run)');
    assert.match((await s.kubectl(['-n', 'ap', 'get', 'configmap', 'dry'])).stderr, /NotFound/);
  });

  it('rejects unknown fields (kubectl asks for Strict validation)', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], deployment(3).replace('replicas: 3', 'replicaz: 3'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "spec\.replicaz"/);
  });

  it('explain reads the OpenAPI document', async () => {
    const r = await s.kubectl(['explain', 'pod.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /FIELD:\s+containers <\[\]Container>/);
  });

  it('api-resources lists upstream names, short names and kinds', async () => {
    const r = await s.kubectl(['api-resources']);
    for (const re of [
      /^pods +po +v1 +true +Pod$/m,
      /^deployments +deploy +apps\/v1 +true +Deployment$/m,
      /^namespaces +ns +v1 +false +Namespace$/m,
      /^horizontalpodautoscalers +hpa +autoscaling\/v2 +true +HorizontalPodAutoscaler$/m,
      /^cronjobs +cj +batch\/v1 +true +CronJob$/m,
      /^clusterroles +rbac.authorization.k8s.io\/v1 +false +ClusterRole$/m,
    ]) {
      assert.match(r.stdout, re);
    }
  });

  it('get all lists the workload kinds', async () => {
    const r = await s.kubectl(['-n', 'ap', 'get', 'all']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment\.apps\/web/);
  });
});
