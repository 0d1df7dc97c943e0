// The server's own agent on containerd with its own identities (issue #9): kube-proxy runs with
// system:kube-proxy's kubeconfig and serves a ClusterIP Service; the network policy controller
// runs as system:k3s-controller and enforces seed 004 §3.12's access-nginx policy (only pods
// labelled access=true reach nginx). Needs root, containerd and iptables (K8TS_E2E=1).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cleanupOverlay } from '../../src/flannel/controller.js';
import { NetCommands } from '../../src/flannel/exec.js';
import { cleanupNetworkPolicies } from '../../src/netpol/controller.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.248.0.0/16';
const NODE = 'np-node';
const END = 'probe-done';

describe(
  'NetworkPolicies and Services on the server agent, as its own users',
  { skip: !enabled && 'set K8TS_E2E=1' },
  () => {
    let s: TestServer;
    before(async () => {
      s = await startServer([
        '--enable-agent',
        '--runtime',
        'containerd',
        '--node-name',
        NODE,
        '--cluster-cidr',
        CLUSTER_CIDR,
        '--disable',
        'ingress',
      ]);
      await until('the node to be Ready', async () => {
        const r = await s.kubectl(['get', 'node', NODE, '--no-headers']);
        return / Ready /.test(r.stdout) ? r.stdout : undefined;
      });
    });
    after(async () => {
      if (!s) return;
      await s.kubectl(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
      await s.kubectl(['delete', 'deployment', 'nginx', '--wait=true', '--timeout=60s']);
      await stopContainerdServer(s);
      await cleanupOverlay(new NetCommands(), CLUSTER_CIDR);
      await cleanupNetworkPolicies();
    });

    it('runs kube-proxy and the network policy controller with their kubeconfigs', () => {
      const ps = execFileSync('ps', ['-eo', 'args']).toString();
      const agentDir = join(s.dataDir, 'agent');
      assert.match(ps, new RegExp(`proxy --kubeconfig ${agentDir}/kubeproxy\\.kubeconfig `));
      assert.match(
        ps,
        new RegExp(
          `agent --kubeconfig ${agentDir}/kubelet\\.kubeconfig --network-policy-kubeconfig ${agentDir}/k3scontroller\\.kubeconfig `,
        ),
      );
    });

    /** Runs a busybox pod that tries the URL 3 times; its log once it is through. */
    async function probe(name: string, url: string, labels: Record<string, string> = {}): Promise<string> {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels },
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'probe',
              image: 'busybox',
              imagePullPolicy: 'IfNotPresent',
              command: [
                'sh',
                '-c',
                `sleep 2; for i in 1 2 3; do /usr/bin/wget --spider --timeout=1 ${url} 2>&1; echo "rc=$?"; done; echo ${END}; exec sleep 3600`,
              ],
            },
          ],
        },
      };
      const r = await s.kubectl(['apply', '-f', '-'], JSON.stringify(pod));
      assert.equal(r.code, 0, r.stderr);
      // read while it sleeps on: the logs of a completed pod's containers are not served
      return until(`${name} done`, async () => {
        const logs = await s.kubectl(['logs', name]);
        return logs.stdout.includes(END) ? logs.stdout : undefined;
      });
    }

    it('seed 004 §3.12: the ClusterIP serves, then access-nginx admits only access=true pods', async () => {
      assert.equal(
        (await s.kubectl(['create', 'deployment', 'nginx', '--image=nginx'])).stdout,
        'deployment.apps/nginx created\n',
      );
      assert.equal(
        (await s.kubectl(['expose', 'deployment', 'nginx', '--port=80'])).stdout,
        'service/nginx exposed\n',
      );
      await until('an nginx endpoint', async () => {
        const r = await s.kubectl([
          'get',
          'endpoints',
          'nginx',
          '-o',
          'jsonpath={.subsets[0].addresses[*].ip}',
        ]);
        return r.stdout || undefined;
      });
      const svc = (await s.kubectl(['get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
      const open = await probe('open', `http://${svc}/`);
      assert.equal((open.match(/^remote file exists$/gm) ?? []).length, 3, open);

      const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: access-nginx
spec:
  podSelector:
    matchLabels:
      app: nginx
  ingress:
  - from:
    - podSelector:
        matchLabels:
          access: "true"
`;
      const applied = await s.kubectl(['apply', '-f', '-'], policy);
      assert.equal(applied.stdout, 'networkpolicy.networking.k8s.io/access-nginx created\n', applied.stderr);
      const denied = await probe('denied', `http://${svc}/`);
      assert.doesNotMatch(denied, /remote file exists/, denied);
      assert.equal((denied.match(/^wget: download timed out\nrc=1$/gm) ?? []).length, 3, denied);
      const allowed = await probe('allowed', `http://${svc}/`, { access: 'true' });
      assert.equal((allowed.match(/^remote file exists$/gm) ?? []).length, 3, allowed);
    });
  },
);
