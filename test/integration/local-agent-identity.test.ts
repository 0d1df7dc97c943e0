// The server's own agent runs as its own users (issue #9), not as the admin: the kubelet as
// system:node:<name> in system:nodes (Node authorizer + NodeRestriction), kube-proxy as
// system:kube-proxy (system:node-proxier) and the network policy controller as
// system:k3s-controller (k3s's ClusterRole and binding, applied at start). The control-plane
// role labels, which NodeRestriction keeps from a kubelet, are set by the server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, KUBECTL, startServer, type TestServer, eventuallyWithin } from './harness.js';

const eventually = eventuallyWithin(60_000);
const NODE = 'id-node';

function kubectlAs(
  kubeconfig: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the server's agent has its own identities", () => {
  let s: TestServer;
  let agentDir: string;
  before(async () => {
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'sim',
      '--node-name',
      NODE,
      '--kubelet-port',
      '0',
      '--kubelet-arg',
      'rotate-server-certificates=true',
    ]);
    agentDir = join(s.dataDir, 'agent');
    await eventually(`node ${NODE} Ready`, async () => {
      const r = await s.kubectl(['get', 'node', NODE, '--no-headers']);
      return /^id-node\s+Ready\s+control-plane,master\s/.test(r.stdout);
    });
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('writes a kubeconfig (0600) per component, each its own user', async () => {
    const who = async (file: string) => {
      assert.equal(statSync(join(agentDir, file)).mode & 0o777, 0o600, file);
      const r = await kubectlAs(join(agentDir, file), [
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo}',
      ]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { username: string; groups: string[] };
    };
    assert.deepEqual(await who('kubelet.kubeconfig'), {
      username: 'system:node:id-node',
      groups: ['system:nodes', 'system:authenticated'],
    });
    assert.deepEqual(await who('kubeproxy.kubeconfig'), {
      username: 'system:kube-proxy',
      groups: ['system:authenticated'],
    });
    assert.deepEqual(await who('k3scontroller.kubeconfig'), {
      username: 'system:k3s-controller',
      groups: ['system:authenticated'],
    });
  });

  it("the kubelet's kubelet-serving CSR is requested by system:node:<name>", async () => {
    const row = await eventually('a kubelet-serving CSR', async () => {
      const r = await s.kubectl(['get', 'csr', '--no-headers']);
      return r.stdout.split('\n').find((l) => l.includes('kubernetes.io/kubelet-serving'));
    });
    assert.match(
      row,
      /^csr-[a-z0-9]{5}\s+\d+s\s+kubernetes\.io\/kubelet-serving\s+system:node:id-node\s+<none>\s+Pending$/,
    );
  });

  it('the node keeps its Lease and runs pods whose secrets only it may then read', async () => {
    const lease = await s.kubectl([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      NODE,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    assert.equal(lease.stdout, NODE, lease.stderr);
    assert.equal((await s.kubectl(['create', 'secret', 'generic', 'mounted', '--from-literal=k=v'])).code, 0);
    assert.equal((await s.kubectl(['create', 'secret', 'generic', 'other', '--from-literal=k=v'])).code, 0);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'uses-secret', namespace: 'default' },
      spec: {
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 's', mountPath: '/s' }] }],
        volumes: [{ name: 's', secret: { secretName: 'mounted' } }],
      },
    };
    const made = await s.kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    assert.equal(made.code, 0, made.stderr);
    await eventually('pod uses-secret Running', async () => {
      const r = await s.kubectl(['get', 'pod', 'uses-secret', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Running';
    });
    const events = await s.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=uses-secret,reason=Started',
      '-o',
      'name',
    ]);
    assert.notEqual(events.stdout, '', 'the kubelet recorded its events');
    const kubelet = join(agentDir, 'kubelet.kubeconfig');
    const mounted = await kubectlAs(kubelet, ['get', 'secret', 'mounted', '-o', 'name']);
    assert.equal(mounted.stdout, 'secret/mounted\n', mounted.stderr);
    const other = await kubectlAs(kubelet, ['get', 'secret', 'other']);
    assert.equal(
      other.stderr,
      `Error from server (Forbidden): secrets "other" is forbidden: User "system:node:id-node" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'id-node' and this object\n`,
    );
    // NodeRestriction: its own Node only, and no role labels
    const label = await kubectlAs(kubelet, ['label', 'node', NODE, 'node-role.kubernetes.io/worker=true']);
    assert.equal(
      label.stderr,
      'Error from server (Forbidden): nodes "id-node" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker\n',
    );
  });

  it('kube-proxy reads and watches EndpointSlices and Services, not Secrets', async () => {
    const proxy = join(agentDir, 'kubeproxy.kubeconfig');
    const slices = await kubectlAs(proxy, [
      'get',
      'endpointslices',
      '-n',
      'default',
      '-l',
      'kubernetes.io/service-name=kubernetes',
      '-o',
      'name',
    ]);
    assert.match(slices.stdout, /^endpointslice\.discovery\.k8s\.io\/kubernetes\n$/, slices.stderr);
    const watch = await kubectlAs(proxy, [
      'get',
      '--raw',
      '/apis/discovery.k8s.io/v1/endpointslices?watch=1&timeoutSeconds=1',
    ]);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stdout, /"type":"ADDED"/);
    const services = await kubectlAs(proxy, ['get', 'services', '-A', '-o', 'name']);
    assert.match(services.stdout, /service\/kubernetes/);
    const secrets = await kubectlAs(proxy, ['get', 'secrets', '-A']);
    assert.equal(
      secrets.stderr,
      'Error from server (Forbidden): secrets is forbidden: User "system:kube-proxy" cannot list resource "secrets" in API group "" at the cluster scope\n',
    );
  });

  it("the network policy controller has k3s's system:k3s-controller rights", async () => {
    const controller = join(agentDir, 'k3scontroller.kubeconfig');
    const binding = await eventually('ClusterRoleBinding system:k3s-controller', async () => {
      const r = await s.kubectl([
        'get',
        'clusterrolebinding',
        'system:k3s-controller',
        '-o',
        'jsonpath={.roleRef.name} {.subjects[0].kind} {.subjects[0].name}',
      ]);
      return r.code === 0 && r.stdout;
    });
    assert.equal(binding, 'system:k3s-controller User system:k3s-controller');
    for (const resource of ['networkpolicies', 'pods', 'namespaces']) {
      const r = await kubectlAs(controller, ['get', resource, '-A', '-o', 'name']);
      assert.equal(r.code, 0, `${resource}: ${r.stderr}`);
    }
    const write = await kubectlAs(controller, ['delete', 'pod', 'uses-secret']);
    assert.equal(
      write.stderr,
      'Error from server (Forbidden): pods "uses-secret" is forbidden: User "system:k3s-controller" cannot delete resource "pods" in API group "" in the namespace "default"\n',
    );
  });
});
