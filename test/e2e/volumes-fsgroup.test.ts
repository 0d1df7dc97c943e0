// fsGroup on persistent volumes with real containers (`k8ts server --runtime containerd`):
// a static `local` PV gets the pod's group recursively (setgid directories, group rw), a
// hostPath PV does not (upstream's hostPath plugin manages no ownership), and
// fsGroupChangePolicy OnRootMismatch leaves a volume whose root already fits untouched while
// Always walks it. Seen from inside the containers with `id` and `ls -ln`. Needs root,
// containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.247.0.0/16';

const pv = (name: string, node: string, source: string) => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  ${source}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node}]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: ${name}
  resources: {requests: {storage: 1Gi}}
`;

const pod = (name: string, policy: string, claims: string[]) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, fsGroupChangePolicy: ${policy}}
  volumes:
${claims.map((c) => `  - {name: ${c}, persistentVolumeClaim: {claimName: ${c}}}`).join('\n')}
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
${claims.map((c) => `    - {name: ${c}, mountPath: /${c}}`).join('\n')}
`;

/** A host directory as a PV would find it: root-owned, a file and a private subdirectory. */
function seed(dir: string): void {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'old'), 'x');
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'old'), 0o644);
  chmodSync(join(dir, 'sub'), 0o755);
}

describe('fsGroup on persistent volumes through CRI', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let base: string;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const exec = async (p: string, cmd: string) => {
    const r = await k(['exec', p, '-c', 'c', '--', 'sh', '-c', cmd]);
    return { ...r, out: r.stdout.trim() };
  };
  before(async () => {
    base = mkdtempSync(join(tmpdir(), 'fsgroup-'));
    chmodSync(base, 0o755);
    const dirs = { local: join(base, 'local'), host: join(base, 'host'), fits: join(base, 'fits') };
    for (const d of Object.values(dirs)) seed(d);
    // the root already has the group and setgid: OnRootMismatch must not descend
    chownSync(dirs.fits, 0, 2000);
    chmodSync(dirs.fits, 0o2775);
    s = await startServer(['--enable-agent', '--runtime', 'containerd', '--cluster-cidr', CLUSTER_CIDR]);
    await until('node Ready', async () => / Ready /.test((await k(['get', 'nodes', '--no-headers'])).stdout));
    await until('default ServiceAccount', async () => (await k(['get', 'sa', 'default'])).code === 0);
    const node = (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    for (const y of [
      pv('local', node, `local: {path: ${dirs.local}}`),
      pv('host', node, `hostPath: {path: ${dirs.host}, type: Directory}`),
      pv('fits', node, `local: {path: ${dirs.fits}}`),
      pod('always', 'Always', ['local', 'host']),
      pod('onroot', 'OnRootMismatch', ['fits']),
    ]) {
      const r = await k(['apply', '-f', '-'], y);
      assert.equal(r.code, 0, r.stderr);
    }
    for (const p of ['always', 'onroot'])
      await until(`${p} Running`, async () =>
        / 1\/1 +Running /.test((await k(['get', 'pod', p, '--no-headers'])).stdout),
      );
  });
  after(async () => {
    if (!s) return;
    try {
      await k(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      await stopContainerdServer(s);
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('the container runs with fsGroup among its groups', async () => {
    const id = await exec('always', 'id -u; id -g; id -G');
    const [uid, gid, groups] = id.out.split('\n');
    assert.deepEqual([uid, gid], ['1000', '3000'], id.stderr);
    assert.deepEqual(groups.split(' ').sort(), ['2000', '3000']);
  });

  it('local PV: existing entries get the group, setgid dirs, group rw; new files belong to fsGroup', async () => {
    const ls = await exec(
      'always',
      'ls -ln /local | tail -n +2 | while read m l u g rest; do echo "$m $u $g"; done',
    );
    assert.deepEqual(ls.out.split('\n'), ['-rw-rw-r-- 0 2000', 'drwxrwsr-x 0 2000'], ls.stderr);
    const root = await exec('always', 'stat -c "%a %u %g" /local');
    assert.equal(root.out, '2775 0 2000');
    // uid 1000 is no owner: it writes through the group bits fsGroup granted
    const made = await exec(
      'always',
      'touch /local/new && mkdir /local/sub/d && stat -c "%u %g" /local/new /local/sub/d',
    );
    assert.equal(made.out, '1000 2000\n1000 2000', made.stderr);
  });

  it('hostPath PV: ownership untouched, as upstream', async () => {
    const ls = await exec('always', 'stat -c "%a %u %g" /host /host/old');
    assert.equal(ls.out, '755 0 0\n644 0 0', ls.stderr);
    assert.notEqual((await exec('always', 'touch /host/new')).code, 0);
  });

  it('/stats/summary: kubelet, runtime and pods system containers; process_stats; PV volume stats', async () => {
    const node = (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    const r = await k(['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`]);
    assert.equal(r.code, 0, r.stderr);
    type Sys = {
      name: string;
      startTime: string;
      cpu: { usageCoreNanoSeconds: number };
      memory: { workingSetBytes: number };
    };
    const sum = JSON.parse(r.stdout) as {
      node: { systemContainers: Sys[] };
      pods: {
        podRef: { name: string };
        process_stats?: { process_count: number };
        volume?: { name: string; pvcRef?: { name: string } }[];
        containers: { name: string; rootfs?: { usedBytes: number }; logs?: { usedBytes: number } }[];
      }[];
    };
    assert.deepEqual(sum.node.systemContainers.map((c) => c.name).sort(), ['kubelet', 'pods', 'runtime']);
    for (const c of sum.node.systemContainers.filter((x) => x.name !== 'pods')) {
      assert.ok(c.cpu.usageCoreNanoSeconds > 0, c.name);
      assert.ok(c.memory.workingSetBytes > 1 << 20, c.name);
      assert.ok(Date.parse(c.startTime) <= Date.now(), c.name);
    }
    const always = sum.pods.find((p) => p.podRef.name === 'always');
    // the sandbox's pause process and the container's sleep
    assert.deepEqual(always?.process_stats, { process_count: 2 });
    assert.deepEqual(always?.volume?.flatMap((v) => (v.pvcRef ? [[v.name, v.pvcRef.name]] : [])).sort(), [
      ['host', 'host'],
      ['local', 'local'],
    ]);
    assert.ok((always?.containers[0].rootfs?.usedBytes ?? -1) >= 0);
    assert.ok((always?.containers[0].logs?.usedBytes ?? -1) >= 0);
  });

  it('OnRootMismatch: a root that already fits leaves the children as they were', async () => {
    const ls = await exec('onroot', 'stat -c "%a %g" /fits /fits/old /fits/sub');
    assert.equal(ls.out, '2775 2000\n644 0\n755 0', ls.stderr);
  });
});
