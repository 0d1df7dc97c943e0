// `k8ts server --runtime containerd` end to end, seen through kubectl: real containers for
// `kubectl run`, CrashLoopBackOff, a missing image, two containers sharing an emptyDir.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1, so the default
// `npm test` skips it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { cgroupTreeExists, removeCgroupTree } from '../../src/kubelet/containerd/cgroups.js';
import { cleanupCniHostState } from '../../src/kubelet/cni/cleanup.js';
import { cleanupOverlay } from '../../src/flannel/controller.js';
import { NetCommands } from '../../src/flannel/exec.js';
import { cleanupNetworkPolicies } from '../../src/netpol/controller.js';
import { hostNames } from '../../src/kubelet/runtime/index.js';
import { cleanup, startServer, type TestServer } from '../integration/harness.js';
import { join } from 'node:path';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const CLUSTER_CIDR = '10.246.0.0/16';

const SHARED = `apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  restartPolicy: Never
  volumes:
  - name: data
    emptyDir: {}
  containers:
  - name: writer
    image: busybox
    imagePullPolicy: IfNotPresent
    env:
    - name: WHO
      value: writer
    - name: MSG
      value: hello-from-$(WHO)
    command: ["sh", "-c", "echo $(MSG) > /data/msg; sleep 3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  - name: reader
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "while [ ! -f /data/msg ]; do sleep 0.2; done; [ \\"$(cat /data/msg)\\" = hello-from-writer ] && exit 0; exit 3"]
    volumeMounts:
    - name: data
      mountPath: /data
      readOnly: true
`;

const OOM = `apiVersion: v1
kind: Pod
metadata:
  name: oom
spec:
  restartPolicy: Never
  containers:
  - name: hog
    image: busybox:1.36
    command: ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\\\0' a); echo survived"]
    resources:
      limits:
        memory: 32Mi
`;

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const TERMINATION = `apiVersion: v1
kind: Pod
metadata:
  name: msgs
spec:
  restartPolicy: Never
  initContainers:
  - {name: first, image: busybox, command: ["true"]}
  containers:
  - name: custom
    image: busybox
    terminationMessagePath: /tmp/my-log
    command: ["sh", "-c", "echo Sleep expired > /tmp/my-log"]
  - {name: default, image: busybox, command: ["sh", "-c", "echo written > /dev/termination-log; exit 1"]}
  - name: fallback
    image: busybox
    terminationMessagePolicy: FallbackToLogsOnError
    command: ["sh", "-c", "echo from the log; exit 2"]
`;

const INIT = `apiVersion: v1
kind: Pod
metadata:
  name: initsa
spec:
  restartPolicy: Never
  volumes:
  - name: work
    emptyDir: {}
  initContainers:
  - name: first
    image: busybox:1.36
    command: ["sh", "-c", "echo one > /work/order"]
    volumeMounts: [{ name: work, mountPath: /work }]
  - name: second
    image: busybox:1.36
    command: ["sh", "-c", "echo two >> /work/order"]
    volumeMounts: [{ name: work, mountPath: /work }]
  containers:
  - name: check
    image: busybox:1.36
    workingDir: /work
    command:
    - sh
    - -c
    - |
      [ "$(cat order | tr '\\n' ' ')" = 'one two ' ] || exit 4
      test -s ${SA}/token || exit 5
      grep -q 'BEGIN CERTIFICATE' ${SA}/ca.crt || exit 6
      [ "$(cat ${SA}/namespace)" = default ] || exit 7
    volumeMounts: [{ name: work, mountPath: /work }]
`;

describe(
  'kubelet on containerd (k8ts server --runtime containerd)',
  { skip: !enabled && 'set K8TS_E2E=1' },
  () => {
    let s: TestServer;
    const figures: Record<string, string> = {};
    const get = async (pod: string, jsonpath: string) =>
      (await s.kubectl(['get', 'pod', pod, '-o', `jsonpath=${jsonpath}`])).stdout;

    before(async () => {
      s = await startServer(['--enable-agent', '--runtime', 'containerd', '--cluster-cidr', CLUSTER_CIDR]);
      await until('the node to be Ready', async () => {
        const r = await s.kubectl(['get', 'nodes', '--no-headers']);
        return / Ready /.test(r.stdout) ? r.stdout : undefined;
      });
    });

    after(async () => {
      if (!s) return;
      const names = hostNames(s.dataDir);
      try {
        const t0 = Date.now();
        await s.kubectl(['delete', 'pod', 'shared', '--grace-period=2', '--wait=true', '--timeout=60s']);
        figures['kubectl delete pod shared (grace 2 s) → gone'] = `${Date.now() - t0} ms`;
        const t = Date.now();
        await s.kubectl(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
        figures['kubectl delete pod --all (grace 1 s) → gone'] = `${Date.now() - t} ms`;
        const cri = new CriClient(containerdPaths(s.dataDir).socket);
        try {
          const left = await until(
            'every sandbox removed',
            async () => {
              const l = await cri.listPodSandbox();
              return l.length === 0 ? l : undefined;
            },
            30_000,
          );
          assert.deepEqual(left, []);
        } finally {
          cri.close();
        }
      } finally {
        await s.stop();
        await cleanupCniHostState({
          bridge: names.bridge,
          ipamDataDir: join(s.dataDir, 'agent', 'cni', 'networks'),
        });
        removeCgroupTree(names.cgroupRoot);
        // the agent's overlay device and chains, and its network policy chains
        await cleanupOverlay(new NetCommands(), CLUSTER_CIDR);
        await cleanupNetworkPolicies();
        const ps = execFileSync('ps', ['-eo', 'args']).toString();
        assert.ok(!ps.includes(s.dataDir), `processes left behind:\n${ps}`);
        assert.deepEqual(cgroupTreeExists(names.cgroupRoot), []);
        console.log('figures', figures);
        cleanup(s);
      }
    });

    it('reports the containerd runtime version in nodeInfo', async () => {
      const r = await s.kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[0].status.nodeInfo.containerRuntimeVersion}',
      ]);
      assert.equal(r.stdout, 'containerd://1.6.20');
    });

    it('runs `kubectl run web --image=nginx` to 1/1 Running with a pod IP that serves HTTP', async () => {
      const t = Date.now();
      const run = await s.kubectl(['run', 'web', '--image=nginx']);
      assert.equal(run.stdout, 'pod/web created\n');
      const line = await until('web 1/1 Running', async () => {
        const r = await s.kubectl(['get', 'pod', 'web', '--no-headers']);
        return /^web\s+1\/1\s+Running\s+0\s/.test(r.stdout) ? r.stdout : undefined;
      });
      figures['kubectl run nginx → 1/1 Running'] = `${Date.now() - t} ms`;
      assert.match(line, /^web\s+1\/1\s+Running/);
      const ip = await get('web', '{.status.podIP}');
      assert.match(ip, /^10\.246\.\d+\.\d+$/);
      assert.match(
        await get('web', '{.status.containerStatuses[0].containerID}'),
        /^containerd:\/\/[0-9a-f]{64}$/,
      );
      const page = await until(
        'nginx to answer',
        async () => {
          const res = await fetch(`http://${ip}/`).catch(() => undefined);
          return res?.ok ? res.text() : undefined;
        },
        30_000,
      );
      assert.match(page, /Welcome to nginx/i);
    });

    it('keeps pods across an agent restart: the sandbox and containers are adopted, not run again', async () => {
      const before = await get('web', '{.status.containerStatuses[0].containerID}');
      const agentPid = () =>
        execFileSync('ps', ['-eo', 'pid=,args='])
          .toString()
          .split('\n')
          .filter((l) => l.includes(' agent --kubeconfig') && l.includes(s.dataDir))
          .map((l) => Number(l.trim().split(/\s+/)[0]))[0];
      const first = agentPid();
      assert.ok(first, 'the agent runs');
      process.kill(first, 'SIGTERM');
      await until('a new agent', async () => {
        const pid = agentPid();
        return pid && pid !== first ? pid : undefined;
      });
      const cri = new CriClient(containerdPaths(s.dataDir).socket);
      try {
        const uid = await get('web', '{.metadata.uid}');
        // the new agent has synced the pod once its containerd answers and the status is rewritten
        const sandboxes = await until('the new containerd to list web', async () => {
          const l = await cri
            .listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': uid } })
            .catch(() => undefined);
          return l?.length ? l : undefined;
        });
        await until('the new agent to adopt web', async () =>
          s.log().includes(`"msg":"adopted a running pod sandbox","pod":"${uid}"`) ? true : undefined,
        );
        await new Promise((r) => setTimeout(r, 2000)); // a few sync rounds of the new agent
        const again = await cri.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': uid } });
        assert.deepEqual(
          again.map((x) => x.id),
          sandboxes.map((x) => x.id),
        );
      } finally {
        cri.close();
      }
      const line = (await s.kubectl(['get', 'pod', 'web', '--no-headers'])).stdout;
      assert.match(line, /^web\s+1\/1\s+Running\s+0\s/);
      assert.equal(await get('web', '{.status.containerStatuses[0].containerID}'), before);
    });

    it('restarts a failing container with back-off: restarts and CrashLoopBackOff', async () => {
      await s.kubectl(['run', 'crash', '--image=busybox', '--restart=Always', '--', 'sh', '-c', 'exit 1']);
      const line = await until('crash in CrashLoopBackOff', async () => {
        const r = await s.kubectl(['get', 'pod', 'crash', '--no-headers']);
        return /CrashLoopBackOff/.test(r.stdout) ? r.stdout : undefined;
      });
      assert.match(line, /^crash\s+0\/1\s+CrashLoopBackOff\s+[1-9]/);
      assert.equal(await get('crash', '{.status.containerStatuses[0].lastState.terminated.exitCode}'), '1');
      assert.equal(await get('crash', '{.status.containerStatuses[0].lastState.terminated.reason}'), 'Error');
      assert.match(
        await get('crash', '{.status.containerStatuses[0].state.waiting.message}'),
        /^back-off \d+s restarting failed container=crash pod=crash_default\(/,
      );
    });

    it('records the kubelet BackOff event while a container waits out its back-off', async () => {
      const events = await until('the BackOff event', async () => {
        const r = await s.kubectl([
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=crash,reason=BackOff',
          '-o',
          'jsonpath={range .items[*]}{.type}|{.involvedObject.fieldPath}|{.message}{"\\n"}{end}',
        ]);
        return r.stdout.trim() ? r.stdout : undefined;
      });
      assert.match(
        events,
        /^Warning\|spec\.containers\{crash\}\|Back-off restarting failed container crash in pod crash_default\([0-9a-f-]+\)$/m,
      );
    });

    it('termination messages: the file at terminationMessagePath, or the log tail on error (seed 004 §2.1.4)', async () => {
      const r = await s.kubectl(['apply', '-f', '-'], TERMINATION);
      assert.equal(r.stdout, 'pod/msgs created\n', r.stderr);
      await until('msgs to end', async () =>
        (await get('msgs', '{.status.phase}')) === 'Failed' ? true : undefined,
      );
      const out = await s.kubectl([
        'get',
        'pod',
        'msgs',
        '-o',
        'go-template={{range .status.containerStatuses}}{{printf "%s:\\n%s\\n\\n" .name .state.terminated.message}}{{end}}',
      ]);
      assert.equal(
        out.stdout,
        'custom:\nSleep expired\n\n\ndefault:\nwritten\n\n\nfallback:\nfrom the log\n\n\n',
      );
      // the init container that exited 0 is ready, as upstream's prober manager reports it
      assert.equal(await get('msgs', '{.status.initContainerStatuses[0].ready}'), 'true');
    });

    it('shows ErrImagePull / ImagePullBackOff for an image no registry has', async () => {
      await s.kubectl(['run', 'missing', '--image=k8ts.io/nothere:1']);
      const line = await until('missing image reason', async () => {
        const r = await s.kubectl(['get', 'pod', 'missing', '--no-headers']);
        return /ErrImagePull|ImagePullBackOff/.test(r.stdout) ? r.stdout : undefined;
      });
      assert.match(line, /^missing\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s+0\s/);
      const events = await until('the Failed pull event', async () => {
        const r = await s.kubectl([
          'get',
          'events',
          '--field-selector',
          'involvedObject.name=missing',
          '-o',
          'jsonpath={range .items[*]}{.reason}|{.involvedObject.fieldPath}|{.message}{"\\n"}{end}',
        ]);
        return /^Failed\|/m.test(r.stdout) ? r.stdout : undefined;
      });
      assert.match(events, /^Pulling\|spec\.containers\{missing\}\|Pulling image "k8ts\.io\/nothere:1"$/m);
      assert.match(
        events,
        /^Failed\|spec\.containers\{missing\}\|Failed to pull image "k8ts\.io\/nothere:1": /m,
      );
    });

    it('runs init containers in order, then the container, with a service-account token, CA and namespace', async () => {
      const r = await s.kubectl(['apply', '-f', '-'], INIT);
      assert.equal(r.stdout, 'pod/initsa created\n', r.stderr);
      const phase = await until('initsa to finish', async () => {
        const v = await get('initsa', '{.status.phase}');
        return v === 'Succeeded' || v === 'Failed' ? v : undefined;
      });
      const exit = await get('initsa', '{.status.containerStatuses[0].state.terminated.exitCode}');
      const tokenLog = s
        .log()
        .split('\n')
        .filter((l) => /token/i.test(l));
      assert.equal(`${phase} ${exit}`, 'Succeeded 0', tokenLog.join('\n'));
      assert.equal(
        await get('initsa', '{.status.initContainerStatuses[*].state.terminated.reason}'),
        'Completed Completed',
      );
      const line = (await s.kubectl(['get', 'pod', 'initsa', '--no-headers'])).stdout;
      assert.match(line, /^initsa\s+0\/1\s+Completed\s+0\s/);
    });

    it('reports OOMKilled (exit code 137) for a container over its memory limit', async () => {
      const r = await s.kubectl(['apply', '-f', '-'], OOM);
      assert.equal(r.stdout, 'pod/oom created\n', r.stderr);
      const reason = await until('oom to end', async () => {
        const v = await get('oom', '{.status.containerStatuses[0].state.terminated.reason}');
        return v === '' ? undefined : v;
      });
      assert.equal(reason, 'OOMKilled');
      assert.equal(await get('oom', '{.status.containerStatuses[0].state.terminated.exitCode}'), '137');
      assert.equal(await get('oom', '{.status.phase}'), 'Failed');
    });

    it('shares an emptyDir between two containers ($(VAR) expanded in the command)', async () => {
      const t = Date.now();
      const r = await s.kubectl(['apply', '-f', '-'], SHARED);
      assert.equal(r.stdout, 'pod/shared created\n');
      const exit = await until('the reader to finish', async () => {
        const v = await get(
          'shared',
          '{.status.containerStatuses[?(@.name=="reader")].state.terminated.exitCode}',
        );
        return v === '' ? undefined : v;
      });
      figures['two busybox containers: apply → reader Completed'] = `${Date.now() - t} ms`;
      assert.equal(exit, '0');
      assert.equal(
        await get('shared', '{.status.containerStatuses[?(@.name=="reader")].state.terminated.reason}'),
        'Completed',
      );
      assert.equal(await get('shared', '{.status.containerStatuses[?(@.name=="writer")].ready}'), 'true');
    });
  },
);
