// Probes and volumes on `k8ts server --runtime containerd`, seen through kubectl: the seed's
// liveness exec task (RESTARTS going up, Unhealthy and Killing events), readiness following a
// file the test toggles (endpoints follow), httpGet and tcpSocket probes against nginx;
// configMap, secret and downward API volumes.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupTreeExists } from '../../src/kubelet/containerd/cgroups.js';
import { hostNames } from '../../src/kubelet/runtime/index.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.247.0.0/16';

const LIVENESS = `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: liveness
    image: busybox
    imagePullPolicy: IfNotPresent
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 4; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 1
      periodSeconds: 1
`;

const readiness = (hostDir: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ready-file
  labels:
    app: ready-file
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: flag
    hostPath:
      path: ${hostDir}
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - name: flag
      mountPath: /flag
    readinessProbe:
      exec:
        command: ["cat", "/flag/ok"]
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: ready-file
spec:
  selector:
    app: ready-file
  ports:
  - port: 80
`;

const NGINX = `apiVersion: v1
kind: Pod
metadata:
  name: web-probed
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
    ports:
    - name: http
      containerPort: 80
    readinessProbe:
      httpGet:
        path: /
        port: http
        httpHeaders:
        - name: X-Probe
          value: k8ts
      periodSeconds: 1
    livenessProbe:
      tcpSocket:
        port: 80
      periodSeconds: 2
---
apiVersion: v1
kind: Pod
metadata:
  name: web-404
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: nginx
    image: nginx
    imagePullPolicy: IfNotPresent
    readinessProbe:
      httpGet:
        path: /not-there
        port: 80
      periodSeconds: 1
    livenessProbe:
      tcpSocket:
        port: 81
      periodSeconds: 1
      failureThreshold: 2
      terminationGracePeriodSeconds: 1
`;

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: game-config
data:
  color: red
  ui: dark
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: hunter2
`;

const volumes = (out: string) => `apiVersion: v1
kind: Pod
metadata:
  name: vols
  labels:
    zone: us-est-coast
    cluster: test-cluster1
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: config
    configMap:
      name: game-config
  - name: items
    configMap:
      name: game-config
      items:
      - key: ui
        path: conf/ui.txt
        mode: 0400
  - name: secret
    secret:
      secretName: creds
      defaultMode: 0440
  - name: podinfo
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
      - path: mem
        resourceFieldRef:
          containerName: app
          resource: limits.memory
          divisor: 1Mi
  - name: out
    hostPath:
      path: ${out}
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    resources:
      limits:
        memory: 64Mi
    envFrom:
    - configMapRef:
        name: game-config
      prefix: GAME_
    env:
    - name: PASSWORD
      valueFrom:
        secretKeyRef:
          name: creds
          key: password
    command:
    - sh
    - -c
    - |
      echo "$GAME_color/$PASSWORD" > /out/env
      while true; do
        cat /etc/config/color > /out/color.tmp; mv /out/color.tmp /out/color
        cat /etc/sub/color > /out/sub-color
        cat /etc/items/conf/ui.txt > /out/ui
        stat -L -c %a /etc/items/conf/ui.txt > /out/ui-mode
        cat /etc/secret/password > /out/password
        stat -L -c %a /etc/secret/password > /out/password-mode
        cat /etc/podinfo/labels > /out/labels
        cat /etc/podinfo/mem > /out/mem
        ls -a /etc/config | tr '\\n' ' ' > /out/ls
        touch /etc/config/x 2> /out/readonly || true
        sleep 1
      done
    volumeMounts:
    - { name: config, mountPath: /etc/config }
    - { name: config, mountPath: /etc/sub/color, subPath: color }
    - { name: items, mountPath: /etc/items }
    - { name: secret, mountPath: /etc/secret }
    - { name: podinfo, mountPath: /etc/podinfo }
    - { name: out, mountPath: /out }
`;

const NO_CM = `apiVersion: v1
kind: Pod
metadata:
  name: nocm
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: cfg
    configMap:
      name: later-config
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    volumeMounts:
    - { name: cfg, mountPath: /cfg }
---
apiVersion: v1
kind: Pod
metadata:
  name: noenv
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sleep", "3600"]
    env:
    - name: X
      valueFrom:
        configMapKeyRef:
          name: env-config
          key: x
`;

const PVC = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: local-path-pvc
spec:
  accessModes:
  - ReadWriteOnce
  resources:
    requests:
      storage: 128Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: volume-test
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: volume-test
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo persisted > /data/file; sleep 3600"]
    volumeMounts:
    - name: volv
      mountPath: /data
  volumes:
  - name: volv
    persistentVolumeClaim:
      claimName: local-path-pvc
`;

describe('probes and volumes on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let flagDir = '';
  const get = async (pod: string, jsonpath: string) =>
    (await s.kubectl(['get', 'pod', pod, '-o', `jsonpath=${jsonpath}`])).stdout;
  const events = async (name: string) =>
    (
      await s.kubectl([
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${name}`,
        '-o',
        'jsonpath={range .items[*]}{.type}|{.reason}|{.involvedObject.fieldPath}|{.message}{"\\n"}{end}',
      ])
    ).stdout;

  before(async () => {
    s = await startServer(['--enable-agent', '--runtime', 'containerd', '--cluster-cidr', CLUSTER_CIDR]);
    flagDir = join(s.dataDir, 'flag');
    mkdirSync(flagDir, { recursive: true });
    await until('the node to be Ready', async () => {
      const r = await s.kubectl(['get', 'nodes', '--no-headers']);
      return / Ready /.test(r.stdout) ? r.stdout : undefined;
    });
  });

  after(async () => {
    if (!s) return;
    const names = hostNames(s.dataDir);
    try {
      await s.kubectl(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      await stopContainerdServer(s);
      assert.deepEqual(cgroupTreeExists(names.cgroupRoot), []);
    }
  });

  it('restarts a container whose liveness exec probe fails (seed 004 liveness task)', async () => {
    assert.equal((await s.kubectl(['apply', '-f', '-'], LIVENESS)).stdout, 'pod/liveness-exec created\n');
    const line = await until('RESTARTS to go up', async () => {
      const r = await s.kubectl(['get', 'pod', 'liveness-exec', '--no-headers']);
      return /^liveness-exec\s+1\/1\s+Running\s+[1-9]/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(line, /Running\s+1 \(\d+s ago\)/);
    const ev = await events('liveness-exec');
    assert.match(
      ev,
      /^Warning\|Unhealthy\|spec\.containers\{liveness\}\|Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory\n/m,
    );
    assert.match(
      ev,
      /^Normal\|Killing\|spec\.containers\{liveness\}\|Container liveness failed liveness probe, will be restarted$/m,
    );
    // killed: SIGTERM (143) when the process has a handler or is not PID 1, else SIGKILL after the grace (137)
    assert.match(
      await get(
        'liveness-exec',
        '{.status.containerStatuses[0].lastState.terminated.exitCode}/{.status.containerStatuses[0].lastState.terminated.reason}',
      ),
      /^(137|143)\/Error$/,
    );
    const d = await s.kubectl(['describe', 'pod', 'liveness-exec']);
    assert.match(
      d.stdout,
      /Liveness:\s+exec \[cat \/tmp\/healthy\] delay=1s timeout=1s period=1s #success=1 #failure=3/,
    );
  });

  it('readiness follows the probe: container ready, pod Ready and the Service endpoints', async () => {
    rmSync(join(flagDir, 'ok'), { force: true });
    await s.kubectl(['apply', '-f', '-'], readiness(flagDir));
    const endpoints = async () =>
      (
        await s.kubectl([
          'get',
          'endpoints',
          'ready-file',
          '-o',
          'jsonpath={.subsets[*].addresses[*].ip}|{.subsets[*].notReadyAddresses[*].ip}',
        ])
      ).stdout;
    await until('running but not ready', async () => {
      const r = await s.kubectl(['get', 'pod', 'ready-file', '--no-headers']);
      return /^ready-file\s+0\/1\s+Running/.test(r.stdout) ? r.stdout : undefined;
    });
    const ip = await get('ready-file', '{.status.podIP}');
    await until('the pod among notReadyAddresses', async () =>
      (await endpoints()) === `|${ip}` ? true : undefined,
    );
    assert.equal(await get('ready-file', '{.status.conditions[?(@.type=="Ready")].status}'), 'False');
    // readiness starts false before the first probe ran: its failure event may come a moment later
    const unhealthy =
      /^Warning\|Unhealthy\|spec\.containers\{app\}\|Readiness probe failed: cat: can't open '\/flag\/ok': No such file or directory\n/m;
    await until('the readiness failure event', async () => {
      const e = await events('ready-file');
      return unhealthy.test(e) ? e : undefined;
    });

    writeFileSync(join(flagDir, 'ok'), 'yes');
    await until('ready 1/1', async () => {
      const r = await s.kubectl(['get', 'pod', 'ready-file', '--no-headers']);
      return /^ready-file\s+1\/1\s+Running/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.equal(
      await get('ready-file', '{.status.conditions[?(@.type=="ContainersReady")].status}'),
      'True',
    );
    await until('the pod among addresses', async () => ((await endpoints()) === `${ip}|` ? true : undefined));

    rmSync(join(flagDir, 'ok'));
    await until('not ready again', async () => {
      const r = await s.kubectl(['get', 'pod', 'ready-file', '--no-headers']);
      return /^ready-file\s+0\/1\s+Running\s+0\s/.test(r.stdout) ? r.stdout : undefined;
    });
    await until('the pod back among notReadyAddresses', async () =>
      (await endpoints()) === `|${ip}` ? true : undefined,
    );
  });

  it('probes nginx over httpGet (named port) and tcpSocket; 404 and a closed port fail as upstream', async () => {
    await s.kubectl(['apply', '-f', '-'], NGINX);
    await until('web-probed ready', async () => {
      const r = await s.kubectl(['get', 'pod', 'web-probed', '--no-headers']);
      return /^web-probed\s+1\/1\s+Running\s+0\s/.test(r.stdout) ? r.stdout : undefined;
    });
    const ev = await until('the 404 readiness and the tcp liveness failures', async () => {
      const e = await events('web-404');
      return /Killing/.test(e) ? e : undefined;
    });
    assert.match(
      ev,
      /^Warning\|Unhealthy\|spec\.containers\{nginx\}\|Readiness probe failed: HTTP probe failed with statuscode: 404$/m,
    );
    assert.match(
      ev,
      /^Warning\|Unhealthy\|spec\.containers\{nginx\}\|Liveness probe failed: dial tcp [\d.]+:81: connect: connection refused$/m,
    );
    assert.match(
      ev,
      /^Normal\|Killing\|spec\.containers\{nginx\}\|Container nginx failed liveness probe, will be restarted$/m,
    );
    await until('web-404 restarted, never ready', async () => {
      const r = await s.kubectl(['get', 'pod', 'web-404', '--no-headers']);
      return /^web-404\s+0\/1\s+Running\s+[1-9]/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.equal(await get('web-probed', '{.status.containerStatuses[0].restartCount}'), '0');
  });

  it('mounts configMap, secret and downwardAPI volumes as upstream and follows ConfigMap changes (not in subPath)', async () => {
    const out = join(s.dataDir, 'vol-out');
    mkdirSync(out, { recursive: true });
    await s.kubectl(['apply', '-f', '-'], CONFIG);
    await s.kubectl(['apply', '-f', '-'], volumes(out));
    const read = (f: string) => (existsSync(join(out, f)) ? readFileSync(join(out, f), 'utf8') : undefined);
    await until('the container to report', async () => (read('ls') ? true : undefined));
    assert.equal(read('env'), 'red/hunter2\n');
    assert.equal(read('color'), 'red');
    assert.equal(read('sub-color'), 'red');
    assert.equal(read('ui'), 'dark');
    assert.equal(read('ui-mode'), '400\n');
    assert.equal(read('password'), 'hunter2');
    assert.equal(read('password-mode'), '440\n');
    assert.equal(read('labels'), 'cluster="test-cluster1"\nzone="us-est-coast"');
    assert.equal(read('mem'), '64');
    assert.match(read('ls')!, /^\. \.\. \.\.2\d{3}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+ \.\.data color ui $/);
    assert.match(read('readonly')!, /Read-only file system/);

    const t = Date.now();
    await s.kubectl(['patch', 'configmap', 'game-config', '-p', '{"data":{"color":"blue"}}']);
    await until(
      'the new value in the volume',
      async () => (read('color') === 'blue' ? true : undefined),
      120_000,
    );
    console.log(`# configMap update → visible in the pod: ${Date.now() - t} ms`);
    assert.equal(read('sub-color'), 'red', 'subPath mounts keep the old content, as upstream');
  });

  it('provisions local-path PVCs as k3s does: default class, WaitForFirstConsumer, hostPath under the data dir', async () => {
    const sc = await s.kubectl(['get', 'storageclass', '--no-headers']);
    assert.match(
      sc.stdout,
      /^local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s/,
    );
    const claimOnly = PVC.split('---')[0];
    await s.kubectl(['apply', '-f', '-'], claimOnly);
    const waiting = await until('WaitForFirstConsumer', async () => {
      const e = await events('local-path-pvc');
      return /WaitForFirstConsumer/.test(e) ? e : undefined;
    });
    assert.match(
      waiting,
      /^Normal\|WaitForFirstConsumer\|\|waiting for first consumer to be created before binding$/m,
    );
    assert.match(
      (await s.kubectl(['get', 'pvc', 'local-path-pvc', '--no-headers'])).stdout,
      /^local-path-pvc\s+Pending\s+local-path\s/,
    );
    await s.kubectl(['apply', '-f', '-'], PVC);
    await until('volume-test running', async () => {
      const r = await s.kubectl(['get', 'pod', 'volume-test', '--no-headers']);
      return /^volume-test\s+1\/1\s+Running/.test(r.stdout) ? r.stdout : undefined;
    });
    const pvc = await s.kubectl(['get', 'pvc', 'local-path-pvc', '--no-headers']);
    assert.match(pvc.stdout, /^local-path-pvc\s+Bound\s+pvc-[0-9a-f-]{36}\s+128Mi\s+RWO\s+local-path\s/);
    const pvName = (await s.kubectl(['get', 'pvc', 'local-path-pvc', '-o', 'jsonpath={.spec.volumeName}']))
      .stdout;
    const hostPath = (await s.kubectl(['get', 'pv', pvName, '-o', 'jsonpath={.spec.hostPath.path}'])).stdout;
    assert.equal(hostPath, join(s.dataDir, 'storage', `${pvName}_default_local-path-pvc`));
    await until('the file on the host', async () =>
      existsSync(join(hostPath, 'file')) && readFileSync(join(hostPath, 'file'), 'utf8') === 'persisted\n'
        ? true
        : undefined,
    );
    assert.match(
      await events('local-path-pvc'),
      /^Normal\|ProvisioningSucceeded\|\|Successfully provisioned volume pvc-/m,
    );
    await s.kubectl(['delete', 'pod', 'volume-test', '--grace-period=1', '--wait=true', '--timeout=60s']);
    await s.kubectl(['delete', 'pvc', 'local-path-pvc', '--wait=true', '--timeout=60s']);
    await until('the PV and its directory gone', async () => {
      const r = await s.kubectl(['get', 'pv', pvName]);
      return r.code !== 0 && !existsSync(hostPath) ? true : undefined;
    });
  });

  it('a missing ConfigMap keeps the pod ContainerCreating with FailedMount, or CreateContainerConfigError for env', async () => {
    await s.kubectl(['apply', '-f', '-'], NO_CM);
    const ev = await until('FailedMount', async () => {
      const e = await events('nocm');
      return /FailedMount/.test(e) ? e : undefined;
    });
    assert.match(
      ev,
      /^Warning\|FailedMount\|\|MountVolume\.SetUp failed for volume "cfg" : configmap "later-config" not found$/m,
    );
    assert.match(
      (await s.kubectl(['get', 'pod', 'nocm', '--no-headers'])).stdout,
      /^nocm\s+0\/1\s+ContainerCreating\s+0\s/,
    );
    await until('noenv CreateContainerConfigError', async () => {
      const r = await s.kubectl(['get', 'pod', 'noenv', '--no-headers']);
      return /^noenv\s+0\/1\s+CreateContainerConfigError\s+0\s/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.equal(
      await get('noenv', '{.status.containerStatuses[0].state.waiting.message}'),
      'configmap "env-config" not found',
    );
    await s.kubectl(['create', 'configmap', 'later-config', '--from-literal=a=b']);
    await s.kubectl(['create', 'configmap', 'env-config', '--from-literal=x=y']);
    for (const name of ['nocm', 'noenv'])
      await until(
        `${name} running`,
        async () => {
          const r = await s.kubectl(['get', 'pod', name, '--no-headers']);
          return new RegExp(`^${name}\\s+1/1\\s+Running`).test(r.stdout) ? r.stdout : undefined;
        },
        180_000,
      );
  });
});
