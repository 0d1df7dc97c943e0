// The DNS horizontal autoscaler of seed 004 §3.20 on real containers: the manifest of M-41
// (ServiceAccount, ClusterRole system:kube-dns-autoscaler, binding, Deployment running
// registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4 with upstream's command) against
// the coredns add-on. The autoscaler creates its ConfigMap and sets coredns' replicas by the
// linear formula (one node: 1; preventSinglePointFailure needs more than one node); an edited
// ConfigMap applies without a restart.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1, inside a
// network namespace (/work/netns-run.sh NAME node --test ...).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';

const MANIFEST = `kind: ServiceAccount
apiVersion: v1
metadata:
  name: kube-dns-autoscaler
  namespace: kube-system
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: system:kube-dns-autoscaler
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["list", "watch"]
  - apiGroups: [""]
    resources: ["replicationcontrollers/scale"]
    verbs: ["get", "update"]
  - apiGroups: ["apps"]
    resources: ["deployments/scale", "replicasets/scale"]
    verbs: ["get", "update"]
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "create"]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: system:kube-dns-autoscaler
subjects:
  - kind: ServiceAccount
    name: kube-dns-autoscaler
    namespace: kube-system
roleRef:
  kind: ClusterRole
  name: system:kube-dns-autoscaler
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kube-dns-autoscaler
  namespace: kube-system
  labels:
    k8s-app: kube-dns-autoscaler
    kubernetes.io/cluster-service: "true"
spec:
  selector:
    matchLabels:
      k8s-app: kube-dns-autoscaler
  template:
    metadata:
      labels:
        k8s-app: kube-dns-autoscaler
    spec:
      priorityClassName: system-cluster-critical
      securityContext:
        seccompProfile:
          type: RuntimeDefault
        supplementalGroups: [ 65534 ]
        fsGroup: 65534
      nodeSelector:
        kubernetes.io/os: linux
      containers:
      - name: autoscaler
        image: registry.k8s.io/cpa/cluster-proportional-autoscaler:1.8.4
        resources:
            requests:
                cpu: "20m"
                memory: "10Mi"
        command:
          - /cluster-proportional-autoscaler
          - --namespace=kube-system
          - --configmap=kube-dns-autoscaler
          - --target=Deployment/coredns
          - --default-params={"linear":{"coresPerReplica":256,"nodesPerReplica":16,"preventSinglePointFailure":true,"includeUnschedulableNodes":true}}
          - --logtostderr=true
          - --v=2
      tolerations:
      - key: "CriticalAddonsOnly"
        operator: "Exists"
      serviceAccountName: kube-dns-autoscaler
`;

describe('kube-dns-autoscaler (cluster-proportional-autoscaler image)', { skip: !enabled }, () => {
  let s: TestServer;
  let cri: CriClient;
  before(async () => {
    s = await startServer([
      '--enable-agent',
      '--enable-coredns',
      '--runtime',
      'containerd',
      '--cluster-cidr',
      '10.246.0.0/16',
      '--bind-address',
      '0.0.0.0',
    ]);
    cri = new CriClient(containerdPaths(s.dataDir).socket);
    await until('the coredns Deployment', async () =>
      (await s.kubectl(['get', 'deployment', 'coredns', '-n', 'kube-system'])).code === 0 ? true : undefined,
    );
  });
  after(async () => {
    if (!s) return;
    try {
      await s.kubectl(['delete', 'deployment', '--all', '-n', 'kube-system', '--wait=false']);
      await s.kubectl(['delete', 'pods', '--all', '-A', '--grace-period=1', '--wait=true', '--timeout=60s']);
      await until(
        'every sandbox removed',
        async () => ((await cri.listPodSandbox()).length === 0 ? true : undefined),
        60_000,
      );
      cri.close();
    } finally {
      await stopContainerdServer(s);
    }
  });

  it('creates its ConfigMap, scales coredns and follows ConfigMap edits', async () => {
    const apply = await s.kubectl(['apply', '-f', '-'], MANIFEST);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stdout, /deployment.apps\/kube-dns-autoscaler created/);
    await until('kube-dns-autoscaler Running', async () => {
      const r = await s.kubectl([
        'get',
        'pods',
        '-n',
        'kube-system',
        '-l',
        'k8s-app=kube-dns-autoscaler',
        '--no-headers',
      ]);
      return /\s1\/1\s+Running\s/.test(r.stdout) ? r.stdout : undefined;
    });
    const cm = await until('the ConfigMap', async () => {
      const r = await s.kubectl([
        'get',
        'configmap',
        'kube-dns-autoscaler',
        '-n',
        'kube-system',
        '--no-headers',
      ]);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(cm, /^kube-dns-autoscaler\s+1\s/);
    const data = await s.kubectl([
      'get',
      'configmap',
      'kube-dns-autoscaler',
      '-n',
      'kube-system',
      '-o',
      'jsonpath={.data.linear}',
    ]);
    assert.equal(
      data.stdout,
      '{"coresPerReplica":256,"includeUnschedulableNodes":true,"nodesPerReplica":16,"preventSinglePointFailure":true}',
    );
    // one node: max(ceil(cores/256), ceil(1/16)) = 1; then min 3 by an edit
    const patch = await s.kubectl([
      'patch',
      'configmap',
      'kube-dns-autoscaler',
      '-n',
      'kube-system',
      '-p',
      '{"data":{"linear":"{\\"coresPerReplica\\":256,\\"nodesPerReplica\\":16,\\"min\\":3}"}}',
    ]);
    assert.equal(patch.code, 0, patch.stderr);
    await until('coredns at 3 replicas', async () => {
      const r = await s.kubectl([
        'get',
        'deployment',
        'coredns',
        '-n',
        'kube-system',
        '-o',
        'jsonpath={.spec.replicas}',
      ]);
      return r.stdout === '3' ? true : undefined;
    });
    const logs = await s.kubectl(['logs', '-n', 'kube-system', 'deployment/kube-dns-autoscaler']);
    assert.match(logs.stdout + logs.stderr, /Replicas are not as expected : updating replicas from 1 to 3/);
  });
});
