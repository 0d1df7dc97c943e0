// RBAC as a kubectl user sees it: users from client certificates signed by the cluster CA,
// forbidden until a binding grants, upstream's bootstrap roles, aggregation into view, the
// seed 001 flow, escalation prevention, and the policy reconciled at restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cleanup, KUBECTL, startServer, type TestServer } from './harness.js';
import { userKubeconfig } from './rbac-users.js';

type Run = (args: string[], input?: string) => Promise<{ code: number; stdout: string; stderr: string }>;

function kubectlAs(kubeconfig: string): Run {
  return (args, input) =>
    new Promise((resolve) => {
      const child = execFile(
        KUBECTL,
        ['--kubeconfig', kubeconfig, ...args],
        { timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });
}

/** Retries until `ok` holds (RBAC changes reach the authorizer through the watch cache). */
async function eventually<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('RBAC with kubectl', () => {
  let s: TestServer;
  let jane: Run;
  before(async () => {
    s = await startServer();
    jane = kubectlAs(await userKubeconfig(s, 'jane'));
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it("has upstream's bootstrap roles and bindings", async () => {
    const r = await s.kubectl(['get', 'clusterroles', '-o', 'name']);
    for (const name of [
      'cluster-admin',
      'admin',
      'edit',
      'view',
      'system:basic-user',
      'system:discovery',
      'system:public-info-viewer',
      'system:node',
      'system:kube-scheduler',
      'system:controller:namespace-controller',
      'system:certificates.k8s.io:kubelet-serving-approver',
    ])
      assert.match(r.stdout, new RegExp(`^clusterrole.rbac.authorization.k8s.io/${name}$`, 'm'));
    const b = await s.kubectl(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide', '--no-headers']);
    assert.match(b.stdout, /^cluster-admin +ClusterRole\/cluster-admin +\S+ +system:masters/);
    const role = await s.kubectl(['get', 'clusterrole', 'system:basic-user', '-o', 'yaml']);
    assert.match(role.stdout, /rbac.authorization.kubernetes.io\/autoupdate: "true"/);
    assert.match(role.stdout, /kubernetes.io\/bootstrapping: rbac-defaults/);
    const rb = await s.kubectl(['-n', 'kube-system', 'get', 'rolebindings', '-o', 'name']);
    assert.match(
      rb.stdout,
      /rolebinding.rbac.authorization.k8s.io\/system::extension-apiserver-authentication-reader/,
    );
  });

  it('a user in no group is forbidden until a RoleBinding grants, and only in its namespace', async () => {
    let r = await jane(['get', 'pods']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    // discovery is open to every authenticated user (system:discovery)
    assert.equal((await jane(['get', '--raw', '/api'])).code, 0);
    r = await s.kubectl([
      'create',
      'rolebinding',
      'jane-view',
      '--clusterrole=view',
      '--user=jane',
      '-n',
      'default',
    ]);
    assert.equal(r.stdout.trim(), 'rolebinding.rbac.authorization.k8s.io/jane-view created');
    r = await eventually(
      'jane lists pods',
      () => jane(['get', 'pods']),
      (x) => x.code === 0,
    );
    assert.equal(r.stderr.trim(), 'No resources found in default namespace.');
    r = await jane(['get', 'pods', '-n', 'kube-system']);
    assert.match(
      r.stderr,
      /User "jane" cannot list resource "pods" in API group "" in the namespace "kube-system"/,
    );
    // view does not read secrets
    r = await jane(['get', 'secrets']);
    assert.match(r.stderr, /secrets is forbidden: User "jane" cannot list resource "secrets"/);
  });

  it('a role labelled aggregate-to-view extends view', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'secret-peek', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
    };
    assert.equal((await s.kubectl(['apply', '-f', '-'], JSON.stringify(role))).code, 0);
    await eventually(
      'jane lists secrets',
      () => jane(['get', 'secrets']),
      (x) => x.code === 0,
    );
    const view = await s.kubectl(['get', 'clusterrole', 'view', '-o', 'jsonpath={.rules[*].resources}']);
    assert.match(view.stdout, /"secrets"/);
  });

  it('a binding to a missing role grants nothing and says why', async () => {
    await s.kubectl(['create', 'namespace', 'ghost']);
    await s.kubectl([
      'create',
      'rolebinding',
      'to-nothing',
      '--clusterrole=nope',
      '--user=jane',
      '-n',
      'ghost',
    ]);
    const r = await eventually(
      'the missing role is reported',
      () => jane(['get', 'configmaps', '-n', 'ghost']),
      (x) => x.stderr.includes('RBAC'),
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): configmaps is forbidden: User "jane" cannot list resource "configmaps" in API group "" in the namespace "ghost": RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found',
    );
  });

  it('seed 001: a service account user gets 403, then a clusterrolebinding to cluster-admin, then it works', async () => {
    const sa = kubectlAs(
      await userKubeconfig(s, 'system:serviceaccount:default:default', ['system:serviceaccounts']),
    );
    let r = await sa(['get', 'pods', '-n', 'default']);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
    );
    r = await sa(['get', 'nodes']);
    assert.match(
      r.stderr,
      /nodes is forbidden: User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope/,
    );
    r = await s.kubectl([
      'create',
      'clusterrolebinding',
      'default-cluster-admin',
      '--clusterrole',
      'cluster-admin',
      '--serviceaccount',
      'default:default',
    ]);
    assert.equal(
      r.stdout.trim(),
      'clusterrolebinding.rbac.authorization.k8s.io/default-cluster-admin created',
    );
    await eventually(
      'the SA lists nodes',
      () => sa(['get', 'nodes']),
      (x) => x.code === 0,
    );
    await s.kubectl(['run', 'mynginx', '--image=nginx', '-n', 'default']);
    r = await sa(['delete', 'pod', 'mynginx', '-n', 'default', '--wait=false']);
    assert.equal(r.stdout.trim(), 'pod "mynginx" deleted');
  });

  it('refuses to grant what the author does not hold, unless it may escalate or bind', async () => {
    await s.kubectl(['create', 'namespace', 'team']);
    await s.kubectl([
      'create',
      'rolebinding',
      'jane-admin',
      '--clusterrole=admin',
      '--user=jane',
      '-n',
      'team',
    ]);
    await eventually(
      'jane creates a role',
      () => jane(['create', 'role', 'pod-reader', '--verb=get', '--resource=pods', '-n', 'team']),
      (x) => x.code === 0,
    );
    let r = await jane([
      'create',
      'role',
      'node-reader',
      '--verb=get,list',
      '--resource=nodes,pods',
      '-n',
      'team',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}',
    );
    r = await jane(['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob', '-n', 'team']);
    assert.equal(r.stdout.trim(), 'rolebinding.rbac.authorization.k8s.io/bob-edit created');
    r = await jane([
      'create',
      'rolebinding',
      'bob-root',
      '--clusterrole=cluster-admin',
      '--user=bob',
      '-n',
      'team',
    ]);
    assert.equal(
      r.stderr.trim(),
      'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
    // bind on cluster-admin lets her bind it (in this namespace), without holding it
    const binder = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'binder', namespace: 'team' },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
          verbs: ['bind'],
          resourceNames: ['cluster-admin'],
        },
      ],
    };
    await s.kubectl(['apply', '-f', '-'], JSON.stringify(binder));
    await s.kubectl(['create', 'rolebinding', 'jane-binder', '--role=binder', '--user=jane', '-n', 'team']);
    await eventually(
      'jane binds cluster-admin',
      () =>
        jane([
          'create',
          'rolebinding',
          'bob-root',
          '--clusterrole=cluster-admin',
          '--user=bob',
          '-n',
          'team',
        ]),
      (x) => x.code === 0,
    );
  });

  it('kubectl auth can-i answers yes/no and lists rules, as upstream prints them', async () => {
    let r = await s.kubectl(['auth', 'can-i', '*', '*']);
    assert.deepEqual([r.code, r.stdout], [0, 'yes\n']);
    const kim = kubectlAs(await userKubeconfig(s, 'kim'));
    r = await kim(['auth', 'can-i', 'create', 'pods']);
    assert.deepEqual([r.code, r.stdout], [1, 'no\n']);
    r = await kim(['auth', 'can-i', '--list']);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^Resources +Non-Resource URLs +Resource Names +Verbs$/);
    assert.match(lines[1], /^selfsubjectreviews.authentication.k8s.io +\[\] +\[\] +\[create\]$/);
    assert.match(lines[2], /^selfsubjectaccessreviews.authorization.k8s.io +\[\] +\[\] +\[create\]$/);
    assert.match(lines[3], /^selfsubjectrulesreviews.authorization.k8s.io +\[\] +\[\] +\[create\]$/);
    assert.match(r.stdout, /^ +\[\/apis\/\*\] +\[\] +\[get\]$/m);
    await s.kubectl([
      'create',
      'rolebinding',
      'kim-edit',
      '--clusterrole=edit',
      '--user=kim',
      '-n',
      'default',
    ]);
    r = await eventually(
      'kim may create pods',
      () => kim(['auth', 'can-i', 'create', 'pods']),
      (x) => x.code === 0,
    );
    assert.equal(r.stdout, 'yes\n');
    r = await kim(['auth', 'can-i', 'create', 'pods', '-n', 'kube-system']);
    assert.equal(r.stdout, 'no\n');
    r = await kim(['auth', 'can-i', '--list']);
    assert.match(
      r.stdout,
      /^pods +\[\] +\[\] +\[create delete deletecollection patch update get list watch\]$/m,
    );
  });

  // --validate=false: kubectl validates create-only kinds client-side with OpenAPI v2, which
  // then also lists CRDs (not served yet); the server validates anyway
  it('answers SubjectAccessReviews for any user, with the allowing binding as the reason', async () => {
    const sar = (spec: unknown) =>
      JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    let r = await s.kubectl(
      ['create', '--validate=false', '-o', 'json', '-f', '-'],
      sar({ user: 'jane', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).status, {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "jane-view/default" of ClusterRole "view" to User "jane"',
    });
    r = await s.kubectl(
      ['create', '--validate=false', '-o', 'json', '-f', '-'],
      sar({ user: 'jane', resourceAttributes: { verb: 'delete', resource: 'nodes' } }),
    );
    assert.deepEqual(JSON.parse(r.stdout).status, { allowed: false });
    r = await s.kubectl(
      ['create', '--validate=false', '-f', '-'],
      sar({ resourceAttributes: { verb: 'get', resource: 'pods' } }),
    );
    assert.equal(
      r.stderr.trim(),
      'The SubjectAccessReview "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified',
    );
    const lsar = JSON.stringify({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: 'default' },
      spec: { user: 'jane', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'other' } },
    });
    r = await s.kubectl(['create', '--validate=false', '-f', '-'], lsar);
    assert.match(r.stderr, /spec.resourceAttributes.namespace must match namespace: default/);
  });

  it("Node authorizer and NodeRestriction: a kubelet reads its pods' secrets and writes only its own Node", async () => {
    const kubelet = kubectlAs(await userKubeconfig(s, 'system:node:n1', ['system:nodes']));
    const node = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    let r = await kubelet(['create', '-f', '-'], node('n1'));
    assert.equal(r.stdout.trim(), 'node/n1 created', r.stderr);
    r = await kubelet(['create', '-f', '-'], node('n2'));
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    await s.kubectl(['create', '-f', '-'], node('n2'));
    r = await kubelet(['label', 'node', 'n2', 'x=y']);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    r = await kubelet(['label', 'node', 'n1', 'example.com/x=y']);
    assert.equal(r.stdout.trim(), 'node/n1 labeled');
    await s.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=a=1']);
    await s.kubectl(['create', 'secret', 'generic', 's2', '--from-literal=a=1']);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'on-n1', namespace: 'default' },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c', image: 'busybox' }],
        volumes: [{ name: 'v', secret: { secretName: 's1' } }],
      },
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(pod))).code, 0);
    await eventually(
      "the kubelet reads its pod's secret",
      () => kubelet(['get', 'secret', 's1']),
      (x) => x.code === 0,
    );
    r = await kubelet(['get', 'secret', 's2']);
    assert.equal(
      r.stderr.trim(),
      `Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`,
    );
    r = await kubelet(['get', 'secrets']);
    assert.match(
      r.stderr,
      /cannot list resource "secrets" in API group "" in the namespace "default": No Object name found$/m,
    );
    r = await kubelet(['auth', 'can-i', '--list']);
    assert.match(
      r.stderr,
      /^Warning: the list may be incomplete: node authorizer does not support user rule resolution/,
    );
  });

  it('restores bootstrap rules at restart, but leaves roles marked autoupdate "false" alone', async () => {
    await s.kubectl([
      'patch',
      'clusterrole',
      'system:basic-user',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/rules","value":[]}]',
    ]);
    await s.kubectl([
      'annotate',
      '--overwrite',
      'clusterrole',
      'system:heapster',
      'rbac.authorization.kubernetes.io/autoupdate=false',
    ]);
    await s.kubectl([
      'patch',
      'clusterrole',
      'system:heapster',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/rules","value":[]}]',
    ]);
    await s.stop();
    s = await startServer([], { dir: s.dir, port: s.port });
    const basic = await s.kubectl([
      'get',
      'clusterrole',
      'system:basic-user',
      '-o',
      'jsonpath={.rules[*].resources}',
    ]);
    assert.match(basic.stdout, /selfsubjectaccessreviews/);
    const heapster = await s.kubectl(['get', 'clusterrole', 'system:heapster', '-o', 'jsonpath={.rules}']);
    assert.equal(heapster.stdout, '[]');
    // the bindings made before the restart grant again at once
    assert.equal((await jane(['get', 'pods'])).code, 0);
  });
});
