// Admission as a kubectl user meets it on a real server: LimitRange defaults and limits,
// ResourceQuota refusals and usage (with the resourcequota controller), the service account
// token volume, default tolerations and priority.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

/** Polls until check() returns true or the deadline passes; returns the last output. */
async function eventually(
  what: string,
  run: () => Promise<string>,
  check: (out: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 20_000;
  let out = '';
  while (Date.now() < deadline) {
    out = await run();
    if (check(out)) return out;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: last output ${out}`);
}

// the serviceaccount controller may or may not have made it yet: apply is idempotent
const DEFAULT_SA = (ns: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });

const podJSON = (name: string, resources: unknown) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', resources }] },
  });

describe('admission through kubectl', () => {
  let s: TestServer;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  before(async () => {
    s = await startServer();
    for (const ns of ['lr', 'quota', 'sa', 'psa']) {
      assert.equal((await k(['create', 'namespace', ns])).code, 0);
      assert.equal((await k(['apply', '-f', '-'], DEFAULT_SA(ns))).code, 0);
    }
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('LimitRange defaults fill containers and max refuses with upstream text', async () => {
    const lr = `apiVersion: v1
kind: LimitRange
metadata: {name: mem}
spec:
  limits:
  - {max: {memory: 1Gi}, min: {memory: 100Mi}, type: Container}
`;
    assert.equal((await k(['-n', 'lr', 'apply', '-f', '-'], lr)).code, 0);
    const got = await k([
      '-n',
      'lr',
      'get',
      'limitrange',
      'mem',
      '-o',
      'jsonpath={.spec.limits[0].default.memory}',
    ]);
    assert.equal(got.stdout, '1Gi');
    assert.equal((await k(['-n', 'lr', 'apply', '-f', '-'], podJSON('d', {}))).code, 0);
    const res = await k(['-n', 'lr', 'get', 'pod', 'd', '-o', 'jsonpath={.spec.containers[0].resources}']);
    assert.equal(res.stdout, '{"limits":{"memory":"1Gi"},"requests":{"memory":"1Gi"}}');
    const big = await k(['-n', 'lr', 'apply', '-f', '-'], podJSON('big', { limits: { memory: '1.5Gi' } }));
    assert.equal(big.code, 1);
    assert.equal(
      big.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: maximum memory usage per Container is 1Gi, but limit is 1536Mi',
    );
  });

  it('ResourceQuota: status filled by the controller, usage charged, excess refused, released on delete', async () => {
    const q = `apiVersion: v1
kind: ResourceQuota
metadata: {name: mem-cpu-demo}
spec:
  hard: {requests.cpu: "1", requests.memory: 1Gi, limits.cpu: "2", limits.memory: 2Gi}
`;
    assert.equal((await k(['-n', 'quota', 'apply', '-f', '-'], q)).code, 0);
    const status = () =>
      k(['-n', 'quota', 'get', 'quota', 'mem-cpu-demo', '-o', 'jsonpath={.status}']).then((r) => r.stdout);
    await eventually('status.hard filled', status, (o) => o.includes('"used"') && o.includes('"hard"'));
    const mk = (name: string, mem: string) =>
      podJSON(name, { limits: { memory: '800Mi', cpu: '800m' }, requests: { memory: mem, cpu: '400m' } });
    assert.equal((await k(['-n', 'quota', 'apply', '-f', '-'], mk('one', '600Mi'))).code, 0);
    const used = await status();
    assert.match(
      used,
      /"used":\{"limits.cpu":"800m","limits.memory":"800Mi","requests.cpu":"400m","requests.memory":"600Mi"\}/,
    );
    const two = await k(['-n', 'quota', 'apply', '-f', '-'], mk('two', '700Mi'));
    assert.equal(
      two.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "two" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi',
    );
    const bare = await k(['-n', 'quota', 'apply', '-f', '-'], podJSON('bare', {}));
    assert.match(
      bare.stderr,
      /pods "bare" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: c; limits.memory for: c; requests.cpu for: c; requests.memory for: c/,
    );
    const table = await k(['-n', 'quota', 'get', 'quota', 'mem-cpu-demo', '--no-headers']);
    assert.match(
      table.stdout,
      /requests.cpu: 400m\/1, requests.memory: 600Mi\/1Gi +limits.cpu: 800m\/2, limits.memory: 800Mi\/2Gi/,
    );
    assert.equal((await k(['-n', 'quota', 'delete', 'pod', 'one', '--wait=false'])).code, 0);
    await eventually('usage released', status, (o) => o.includes('"requests.memory":"0"'));
  });

  it('the controller counts what existed before the quota, any resource by count/<resource>.<group>', async () => {
    assert.equal((await k(['-n', 'quota', 'create', 'configmap', 'before'])).code, 0);
    assert.equal((await k(['-n', 'quota', 'create', 'deployment', 'web', '--image=nginx'])).code, 0);
    const q = `apiVersion: v1
kind: ResourceQuota
metadata: {name: counts}
spec:
  hard: {count/deployments.apps: "1", configmaps: "10"}
`;
    assert.equal((await k(['-n', 'quota', 'apply', '-f', '-'], q)).code, 0);
    const used = () =>
      k(['-n', 'quota', 'get', 'quota', 'counts', '-o', 'jsonpath={.status.used}']).then((r) => r.stdout);
    // configmaps: "before" and the namespace's kube-root-ca.crt once its publisher runs
    await eventually(
      'existing objects counted',
      used,
      (o) => /"count\/deployments.apps":"1"/.test(o) && /"configmaps":"[12]"/.test(o),
    );
    const r = await k(['-n', 'quota', 'create', 'deployment', 'second', '--image=nginx']);
    assert.match(
      r.stderr,
      /deployments.apps "second" is forbidden: exceeded quota: counts, requested: count\/deployments.apps=1, used: count\/deployments.apps=1, limited: count\/deployments.apps=1/,
    );
  });

  it('pods get the token volume, default tolerations and priority; a missing account is refused', async () => {
    assert.equal((await k(['-n', 'sa', 'run', 'web', '--image=nginx'])).code, 0);
    const y = (await k(['-n', 'sa', 'get', 'pod', 'web', '-o', 'yaml'])).stdout;
    assert.match(y, /serviceAccountName: default\n/);
    assert.match(
      y,
      /- mountPath: \/var\/run\/secrets\/kubernetes.io\/serviceaccount\n +name: kube-api-access-[a-z0-9]{5}\n +readOnly: true/,
    );
    assert.match(y, /- serviceAccountToken:\n +expirationSeconds: 3607\n +path: token/);
    assert.match(y, /key: node.kubernetes.io\/unreachable\n +operator: Exists\n +tolerationSeconds: 300/);
    assert.match(y, /priority: 0\n/);
    const r = await k([
      '-n',
      'sa',
      'run',
      'other',
      '--image=nginx',
      '--overrides={"spec":{"serviceAccountName":"ghost"}}',
    ]);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): pods "other" is forbidden: error looking up service account sa/ghost: serviceaccount "ghost" not found',
    );
  });

  it('PodSecurity: warnings when tightening a namespace, then restricted pods refused', async () => {
    assert.equal((await k(['-n', 'psa', 'run', 'loose', '--image=nginx'])).code, 0);
    const label = await k(['label', 'namespace', 'psa', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.equal(label.stdout.trim(), 'namespace/psa labeled');
    assert.equal(
      label.stderr.trim(),
      'Warning: existing pods in namespace "psa" violate the new PodSecurity enforce level "restricted:latest"\n' +
        'Warning: loose: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    );
    const r = await k(['-n', 'psa', 'run', 'strict', '--image=nginx']);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): pods "strict" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "strict" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "strict" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "strict" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "strict" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const bad = await k([
      'label',
      'namespace',
      'psa',
      '--overwrite',
      'pod-security.kubernetes.io/enforce=strict',
    ]);
    assert.equal(
      bad.stderr.trim(),
      'The Namespace "psa" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });
});
