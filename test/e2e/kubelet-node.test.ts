// securityContext on `k8ts server --runtime containerd`, seen from inside the containers
// through kubectl exec: users and groups (`id`, /proc/self/status), fsGroup on volumes,
// capabilities, no_new_privs, seccomp, a read-only root filesystem, privileged containers,
// runAsNonRoot against an image that runs as root, and pod sysctls (safe, allowed unsafe,
// forbidden); memory-backed volumes; the kubelet's /stats/summary for those pods; probes on
// sidecars (init containers with restartPolicy Always). Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.246.0.0/16';

const SECURE = `apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {key: value}
---
apiVersion: v1
kind: Pod
metadata: {name: secure}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    supplementalGroups: [4000]
    fsGroup: 2000
    sysctls:
    - {name: kernel.shm_rmid_forced, value: "1"}
    - {name: net.ipv4.ip_local_port_range, value: "20000 30000"}
  volumes:
  - {name: data, emptyDir: {}}
  - {name: sec, secret: {secretName: s}}
  containers:
  - name: ids
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: sec, mountPath: /sec}
  - name: override
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    securityContext: {runAsUser: 2001}
  - name: locked
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: data, mountPath: /data}
    securityContext:
      runAsUser: 0 # root keeps its capabilities in CapEff (a non-root user's are cleared)
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
      seccompProfile: {type: RuntimeDefault}
`;

const PRIV = `apiVersion: v1
kind: Pod
metadata: {name: priv}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: plain
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
  - name: priv
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    securityContext: {privileged: true}
  - name: netadmin
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    securityContext: {capabilities: {add: [NET_ADMIN]}}
`;

const MEMORY = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {k: v}
---
apiVersion: v1
kind: Pod
metadata: {name: memory}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - {name: small, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
  - {name: big, emptyDir: {medium: Memory, sizeLimit: 1Gi}}
  - {name: disk, emptyDir: {}}
  - {name: sec, secret: {secretName: s}}
  - {name: cm, configMap: {name: cm}}
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    resources: {limits: {memory: 64Mi}}
    volumeMounts:
    - {name: small, mountPath: /small}
    - {name: big, mountPath: /big}
    - {name: disk, mountPath: /disk}
    - {name: sec, mountPath: /sec}
    - {name: cm, mountPath: /cm}
`;

const SIDECAR = `apiVersion: v1
kind: Pod
metadata: {name: sidecar}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  initContainers:
  - name: side
    image: busybox
    imagePullPolicy: IfNotPresent
    restartPolicy: Always
    command: ["sh", "-c", "touch /tmp/alive /tmp/ready; sleep 2; touch /tmp/started; sleep 3600"]
    startupProbe: {exec: {command: [cat, /tmp/started]}, periodSeconds: 1, failureThreshold: 60}
    readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}
    livenessProbe: {exec: {command: [cat, /tmp/alive]}, periodSeconds: 1, failureThreshold: 1}
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
`;

const SIDECAR_JOB = `apiVersion: v1
kind: Pod
metadata: {name: sidecar-job}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  initContainers:
  - name: side
    image: busybox
    imagePullPolicy: IfNotPresent
    restartPolicy: Always
    command: ["sleep", "3600"]
  containers:
  - name: job
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "sleep 2; echo done"]
`;

const NONROOT = `apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    securityContext: {runAsNonRoot: true}
`;

const sysctlPod = (name: string, sysctl: string, value: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    sysctls: [{name: ${sysctl}, value: "${value}"}]
  containers:
  - name: c
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
`;

/** A /proc/self/status field of the container's shell. */
const statusField = (status: string, field: string) =>
  new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim();

describe('securityContext through CRI', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const exec = async (pod: string, c: string, cmd: string) => {
    const r = await k(['exec', pod, '-c', c, '--', 'sh', '-c', cmd]);
    return { ...r, out: r.stdout.trim() };
  };
  before(async () => {
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'containerd',
      '--cluster-cidr',
      CLUSTER_CIDR,
      '--kubelet-arg',
      'allowed-unsafe-sysctls=kernel.msg*',
    ]);
    await until('node Ready', async () => / Ready /.test((await k(['get', 'nodes', '--no-headers'])).stdout));
    await until('default ServiceAccount', async () => (await k(['get', 'sa', 'default'])).code === 0);
    for (const y of [
      SECURE,
      PRIV,
      MEMORY,
      SIDECAR,
      SIDECAR_JOB,
      NONROOT,
      sysctlPod('msg', 'kernel.msgmax', '65536'),
      sysctlPod('somaxconn', 'net.core.somaxconn', '1024'),
    ])
      assert.equal((await k(['apply', '-f', '-'], y)).code, 0);
    for (const [pod, n] of [
      ['secure', 3],
      ['priv', 3],
      ['msg', 1],
      ['memory', 1],
      ['sidecar', 2],
    ] as const)
      await until(`${pod} Running`, async () =>
        new RegExp(` ${n}/${n} +Running `).test((await k(['get', 'pod', pod, '--no-headers'])).stdout),
      );
  });
  after(async () => {
    if (!s) return;
    try {
      await k(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      await stopContainerdServer(s);
    }
  });

  it('runAsUser, runAsGroup, supplementalGroups and fsGroup: the process ids; container fields win', async () => {
    const id = await exec('secure', 'ids', 'id -u; id -g; id -G');
    const [uid, gid, groups] = id.out.split('\n');
    assert.deepEqual([uid, gid], ['1000', '3000'], id.stdout + id.stderr);
    assert.deepEqual(groups.split(' ').sort(), ['2000', '3000', '4000']);
    const over = await exec('secure', 'override', 'id -u; id -g');
    assert.equal(over.out, '2001\n3000');
  });

  it('fsGroup: volumes belong to the group, setgid directories; secret files group-readable', async () => {
    const dir = await exec('secure', 'ids', 'stat -c "%g %a" /data; touch /data/f; stat -c %g /data/f');
    assert.equal(dir.out, '2000 2777\n2000', dir.stderr);
    const sec = await exec('secure', 'ids', 'stat -L -c "%g %a" /sec/key; cat /sec/key');
    assert.equal(sec.out, '2000 644\nvalue', sec.stderr);
  });

  it('capabilities, allowPrivilegeEscalation, seccompProfile, readOnlyRootFilesystem', async () => {
    const st = (await exec('secure', 'locked', 'cat /proc/self/status')).stdout;
    assert.equal(statusField(st, 'CapEff'), '0000000000000400'); // NET_BIND_SERVICE (10) only
    assert.equal(statusField(st, 'CapBnd'), '0000000000000400');
    assert.equal(statusField(st, 'NoNewPrivs'), '1');
    assert.equal(statusField(st, 'Seccomp'), '2'); // filter mode: the runtime's default profile
    const plain = (await exec('secure', 'ids', 'cat /proc/self/status')).stdout;
    assert.equal(statusField(plain, 'NoNewPrivs'), '0');
    assert.equal(statusField(plain, 'Seccomp'), '0'); // Unconfined unless asked (no --seccomp-default)
    const root = await exec('secure', 'locked', 'touch /x');
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /Read-only file system/);
    assert.equal((await exec('secure', 'locked', 'touch /data/ok && echo ok')).out, 'ok');
  });

  it('privileged gets every capability; capabilities.add adds to the default set', async () => {
    const host = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapBnd');
    const priv = (await exec('priv', 'priv', 'cat /proc/self/status')).stdout;
    assert.equal(statusField(priv, 'CapEff'), host);
    const plain = BigInt(
      `0x${statusField((await exec('priv', 'plain', 'cat /proc/self/status')).stdout, 'CapEff')}`,
    );
    const net = BigInt(
      `0x${statusField((await exec('priv', 'netadmin', 'cat /proc/self/status')).stdout, 'CapEff')}`,
    );
    assert.equal(plain & (1n << 12n), 0n); // CAP_NET_ADMIN is not in the default set
    assert.equal(net, plain | (1n << 12n));
    // privileged: the host's devices, and a writable /sys
    assert.equal((await exec('priv', 'priv', 'test -w /proc/sys/kernel/hostname && echo rw')).out, 'rw');
  });

  it('runAsNonRoot with an image that runs as root: CreateContainerConfigError, upstream text', async () => {
    const uid = (await k(['get', 'pod', 'nonroot', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const want = `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: c)`;
    const waiting = await until('CreateContainerConfigError', async () => {
      const r = await k([
        'get',
        'pod',
        'nonroot',
        '-o',
        'jsonpath={.status.containerStatuses[0].state.waiting}',
      ]);
      return r.stdout.includes('CreateContainerConfigError') && (JSON.parse(r.stdout) as { message: string });
    });
    assert.equal(waiting.message, want);
    const row = await k(['get', 'pod', 'nonroot', '--no-headers']);
    assert.match(row.stdout, /0\/1 +CreateContainerConfigError/);
    const events = await until('Failed event', async () => {
      const r = await k(['get', 'events', '--field-selector', 'involvedObject.name=nonroot,reason=Failed']);
      return r.stdout.includes('Error: container has runAsNonRoot') && r.stdout;
    });
    assert.match(events, /Warning +Failed +pod\/nonroot/);
  });

  it('memory-backed volumes are tmpfs: emptyDir medium Memory (sizeLimit, else the pod limit), secrets, tokens', async () => {
    const mounts = (await exec('memory', 'c', 'cat /proc/mounts')).stdout;
    const mount = (path: string) =>
      mounts
        .split('\n')
        .find((l) => l.split(' ')[1] === path)
        ?.split(' ');
    const tmpfs = (path: string) => {
      const m = mount(path);
      return m && m[2] === 'tmpfs' && `${m[3].split(',')[0]} ${/size=(\w+)/.exec(m[3])?.[1]}`;
    };
    assert.equal(tmpfs('/small'), 'rw 16384k');
    assert.equal(tmpfs('/big'), 'rw 65536k'); // the pod's 64Mi limit is below the sizeLimit
    assert.equal(tmpfs('/sec'), 'ro 65536k');
    // (/var/run is a link to /run in the image)
    const token = mounts.split('\n').find((l) => l.includes('/secrets/kubernetes.io/serviceaccount '));
    assert.equal(tmpfs(token?.split(' ')[1] ?? ''), 'ro 65536k', mounts);
    assert.notEqual(mount('/disk')?.[2], 'tmpfs');
    assert.notEqual(mount('/cm')?.[2], 'tmpfs');
    // the limit holds: 16 MiB fit, more does not
    const fill = await exec('memory', 'c', 'dd if=/dev/zero of=/small/f bs=1M count=20 2>&1; du -m /small/f');
    assert.match(fill.stdout, /No space left on device/);
    assert.match(fill.out, /^16\s+\/small\/f$/m);
  });

  it('/stats/summary through the API server: node, pods, containers, volumes, ephemeral storage', async () => {
    const node = (await k(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    await exec('memory', 'c', 'dd if=/dev/zero of=/small/g bs=1M count=3');
    const r = await k(['get', '--raw', `/api/v1/nodes/${node}/proxy/stats/summary`]);
    assert.equal(r.code, 0, r.stderr);
    type Fs = { usedBytes: number; capacityBytes: number; availableBytes: number; inodesUsed: number };
    type PodStats = {
      podRef: { name: string; namespace: string; uid: string };
      containers: {
        name: string;
        cpu: { usageCoreNanoSeconds: number };
        memory: { workingSetBytes: number };
        rootfs: Fs;
        logs: Fs;
      }[];
      network?: { name: string; rxBytes: number };
      volume: (Fs & { name: string })[];
      'ephemeral-storage': Fs;
      memory: { workingSetBytes: number };
    };
    const summary = JSON.parse(r.stdout) as {
      node: {
        nodeName: string;
        cpu: { usageCoreNanoSeconds: number };
        memory: { availableBytes: number; workingSetBytes: number };
        fs: Fs;
        runtime: { imageFs: Fs };
        rlimit: { maxpid: number; curproc: number };
        network: { interfaces: unknown[] };
      };
      pods: PodStats[];
    };
    assert.equal(summary.node.nodeName, node);
    assert.ok(summary.node.cpu.usageCoreNanoSeconds > 0);
    assert.ok(summary.node.memory.workingSetBytes > 0 && summary.node.memory.availableBytes > 0);
    assert.ok(summary.node.fs.capacityBytes >= summary.node.fs.availableBytes);
    assert.ok(summary.node.runtime.imageFs.capacityBytes > 0);
    assert.ok(summary.node.rlimit.curproc > 0 && summary.node.rlimit.maxpid > summary.node.rlimit.curproc);
    const mem = summary.pods.find((p) => p.podRef.name === 'memory');
    assert.ok(mem, r.stdout.slice(0, 2000));
    assert.equal(mem.podRef.namespace, 'default');
    assert.deepEqual(
      mem.containers.map((c) => c.name),
      ['c'],
    );
    assert.ok(mem.containers[0].memory.workingSetBytes > 0);
    assert.equal(mem.memory.workingSetBytes, mem.containers[0].memory.workingSetBytes);
    assert.equal(mem.network?.name, 'eth0');
    const small = mem.volume.find((v) => v.name === 'small');
    // 3 MiB written into the 16 MiB tmpfs
    assert.equal(small?.capacityBytes, 16 * 1024 * 1024);
    assert.ok(small.usedBytes >= 3 * 1024 * 1024, JSON.stringify(small));
    assert.deepEqual(
      mem.volume
        .map((v) => v.name)
        .sort()
        .slice(0, 3),
      ['big', 'cm', 'disk'],
    );
    assert.ok(mem['ephemeral-storage'].usedBytes >= small.usedBytes);
    const secure = summary.pods.find((p) => p.podRef.name === 'secure');
    assert.deepEqual(secure?.containers.map((c) => c.name).sort(), ['ids', 'locked', 'override']);
  });

  it('sidecar probes: startup holds back the containers, readiness, liveness restarts the sidecar only', async () => {
    const status = async () =>
      JSON.parse((await k(['get', 'pod', 'sidecar', '-o', 'json'])).stdout) as {
        status: {
          phase: string;
          conditions: { type: string; status: string; message?: string }[];
          initContainerStatuses: {
            ready: boolean;
            started: boolean;
            restartCount: number;
            state: { running?: { startedAt: string } };
          }[];
          containerStatuses: { restartCount: number; state: { running?: { startedAt: string } } }[];
        };
      };
    const first = (await status()).status;
    const side = Date.parse(first.initContainerStatuses[0].state.running!.startedAt);
    const app = Date.parse(first.containerStatuses[0].state.running!.startedAt);
    // the startup probe passes 2 s after the sidecar started; only then does app start
    assert.ok(app - side >= 2000, `sidecar ${side}, app ${app}`);
    assert.equal(first.phase, 'Running');
    // readiness: the sidecar's counts for the pod's
    assert.equal((await exec('sidecar', 'side', 'rm /tmp/ready && echo gone')).out, 'gone');
    const unready = await until('pod not ready', async () => {
      const st = (await status()).status;
      const c = st.conditions.find((x) => x.type === 'ContainersReady');
      return c?.status === 'False' && st;
    });
    assert.equal(
      unready.conditions.find((x) => x.type === 'ContainersReady')?.message,
      'containers with unready status: [side]',
    );
    assert.equal(unready.initContainerStatuses[0].ready, false);
    await exec('sidecar', 'side', 'touch /tmp/ready');
    await until('pod ready again', async () =>
      (await status()).status.conditions.some((x) => x.type === 'Ready' && x.status === 'True'),
    );
    // liveness: the sidecar restarts (whatever the pod's restartPolicy), app does not
    await exec('sidecar', 'side', 'rm /tmp/alive');
    const restarted = await until('sidecar restarted', async () => {
      const st = (await status()).status;
      return st.initContainerStatuses[0].restartCount >= 1 && st;
    });
    assert.equal(restarted.containerStatuses[0].restartCount, 0);
    const events = await until('Killing event', async () => {
      const r = await k([
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=sidecar,reason=Killing',
        '-o',
        'jsonpath={range .items[*]}{.involvedObject.fieldPath} {.message}{"\\n"}{end}',
      ]);
      return r.stdout.includes('failed liveness probe') && r.stdout;
    });
    assert.match(
      events,
      /^spec\.initContainers\{side\} Container side failed liveness probe, will be restarted$/m,
    );
    const unhealthy = await k([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=sidecar,reason=Unhealthy',
    ]);
    assert.match(unhealthy.stdout, /Liveness probe failed: cat: can't open '\/tmp\/alive'/);
    assert.match(unhealthy.stdout, /Readiness probe failed/);
  });

  it('a pod whose containers completed stops its sidecar and completes', async () => {
    const phase = await until('sidecar-job Succeeded', async () => {
      const r = await k(['get', 'pod', 'sidecar-job', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Succeeded' && r.stdout;
    });
    assert.equal(phase, 'Succeeded');
    const side = await k([
      'get',
      'pod',
      'sidecar-job',
      '-o',
      'jsonpath={.status.initContainerStatuses[0].state.terminated.reason}',
    ]);
    assert.match(side.stdout, /^(Completed|Error)$/);
    assert.match((await k(['get', 'pod', 'sidecar-job', '--no-headers'])).stdout, / Completed /);
  });

  it('sysctls: safe ones set in the pod, allowed unsafe ones too, others reject the pod', async () => {
    assert.equal((await exec('secure', 'ids', 'cat /proc/sys/kernel/shm_rmid_forced')).out, '1');
    assert.equal(
      (await exec('secure', 'ids', 'cat /proc/sys/net/ipv4/ip_local_port_range')).out,
      '20000\t30000',
    );
    assert.equal((await exec('msg', 'c', 'cat /proc/sys/kernel/msgmax')).out, '65536');
    const status = await until('somaxconn rejected', async () => {
      const r = await k([
        'get',
        'pod',
        'somaxconn',
        '-o',
        'jsonpath={.status.phase} {.status.reason}|{.status.message}',
      ]);
      return r.stdout.startsWith('Failed') && r.stdout;
    });
    assert.equal(
      status,
      'Failed SysctlForbidden|Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted',
    );
    const row = await k(['get', 'pod', 'somaxconn', '--no-headers']);
    assert.match(row.stdout, /0\/1 +SysctlForbidden/);
  });
});
