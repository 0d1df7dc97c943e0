// Pod spec → CRI configs for the containerd runtime (upstream's kuberuntime conversions).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerConfig,
  expandVars,
  linuxResources,
  sandboxConfig,
  type PodContext,
} from '../../../src/kubelet/runtime/cri-config.js';
import { pullPolicy } from '../../../src/kubelet/runtime/containerd.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

function ctx(dir: string): PodContext {
  return {
    podDir: join(dir, 'pods', 'u1'),
    cgroupParent: '/k8ts-x/podu1',
    clusterDNS: ['10.43.0.10'],
    clusterDomain: 'cluster.local',
    hostDNS: { servers: ['192.168.1.1'], searches: [], options: [] },
    caCert: '-----BEGIN CERTIFICATE-----\n',
    token: 'tok',
  };
}

const pod = {
  metadata: { name: 'p', namespace: 'ns1', uid: 'u1' },
  spec: {
    nodeName: 'n1',
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'kube-api-access-abcde', projected: { sources: [] } },
      { name: 'cm', configMap: { name: 'x' } },
    ],
    containers: [{ name: 'c', image: 'busybox' }],
  },
} as unknown as Pod;

describe('CRI configs from a pod', () => {
  it('expands $(VAR) as Kubernetes does: $$ escapes, unknown references stay', () => {
    const vars = new Map([['A', 'x']]);
    assert.equal(expandVars('$(A)-$(B)-$$(A)-$A', vars), 'x-$(B)-$(A)-$A');
  });

  it('maps memory and CPU to linux resources (shares 1024 per CPU, min 2; quota per 100 ms period)', () => {
    assert.deepEqual(
      linuxResources({
        name: 'c',
        resources: { limits: { memory: '64Mi', cpu: '500m' }, requests: { cpu: '250m' } },
      }),
      { memory_limit_in_bytes: '67108864', cpu_period: 100000, cpu_quota: 50000, cpu_shares: 256 },
    );
    assert.deepEqual(linuxResources({ name: 'c' }), { cpu_shares: 2 });
  });

  it('defaults imagePullPolicy as the API server: Always for :latest or no tag, else IfNotPresent', () => {
    assert.equal(pullPolicy({ name: 'c', image: 'nginx' }), 'Always');
    assert.equal(pullPolicy({ name: 'c', image: 'nginx:latest' }), 'Always');
    assert.equal(pullPolicy({ name: 'c', image: 'localhost:5000/nginx' }), 'Always');
    assert.equal(pullPolicy({ name: 'c', image: 'busybox:1.36' }), 'IfNotPresent');
    assert.equal(pullPolicy({ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'Never' }), 'Never');
  });

  it('gives the sandbox metadata, hostname, log dir, cgroup parent and cluster DNS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    try {
      const sb = sandboxConfig(pod, ctx(dir), 0);
      assert.deepEqual(sb.metadata, { name: 'p', uid: 'u1', namespace: 'ns1', attempt: 0 });
      assert.equal(sb.hostname, 'p');
      assert.equal(sb.log_directory, join(dir, 'pods', 'u1', 'logs'));
      assert.equal(sb.linux?.cgroup_parent, '/k8ts-x/podu1');
      assert.deepEqual(sb.dns_config, {
        servers: ['10.43.0.10'],
        searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        options: ['ndots:5'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mounts emptyDir and kube-api-access volumes from host directories; refuses unsupported kinds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-'));
    try {
      const c = {
        name: 'c',
        image: 'busybox',
        command: ['sh', '-c', 'echo $(GREETING)'],
        env: [
          { name: 'WHO', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'GREETING', value: 'hi-$(WHO)' },
        ],
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          {
            name: 'kube-api-access-abcde',
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            readOnly: true,
          },
        ],
      };
      const cfg = containerConfig(pod, c, 'sha256:1', 2, ctx(dir), '10.1.0.5');
      assert.deepEqual(cfg.command, ['sh', '-c', 'echo hi-p']);
      assert.deepEqual(cfg.envs, [
        { key: 'WHO', value: 'p' },
        { key: 'GREETING', value: 'hi-p' },
      ]);
      assert.equal(cfg.log_path, 'c/2.log');
      const empty = join(dir, 'pods', 'u1', 'volumes', 'kubernetes.io~empty-dir', 'data');
      const projected = join(
        dir,
        'pods',
        'u1',
        'volumes',
        'kubernetes.io~projected',
        'kube-api-access-abcde',
      );
      assert.deepEqual(cfg.mounts, [
        { container_path: '/data', host_path: empty, readonly: false },
        {
          container_path: '/var/run/secrets/kubernetes.io/serviceaccount',
          host_path: projected,
          readonly: true,
        },
        // the kubelet's termination message file, one per attempt
        {
          container_path: '/dev/termination-log',
          host_path: join(dir, 'pods', 'u1', 'containers', 'c', 'termination-log-2'),
          readonly: false,
        },
      ]);
      assert.ok(existsSync(empty));
      assert.equal(readFileSync(join(projected, 'namespace'), 'utf8'), 'ns1');
      assert.equal(readFileSync(join(projected, 'token'), 'utf8'), 'tok');
      assert.match(readFileSync(join(projected, 'ca.crt'), 'utf8'), /BEGIN CERTIFICATE/);
      assert.throws(
        () =>
          containerConfig(
            pod,
            { ...c, volumeMounts: [{ name: 'cm', mountPath: '/cm' }] },
            'i',
            0,
            ctx(dir),
            '',
          ),
        /volume "cm" is of a kind this runtime does not support/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
