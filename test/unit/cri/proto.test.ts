// Field numbers of our proto subset must be upstream's (k8s.io/cri-api runtime/v1 api.proto);
// these are spot checks of the fields the kubelet relies on, read from upstream's file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { CriError, criTarget } from '../../../src/cri/client.js';
import { status } from '@grpc/grpc-js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const def = protoLoader.loadSync(join(root, 'src', 'cri', 'api.proto'), { keepCase: true });

interface FieldInfo {
  name: string;
  number: number;
}
function fields(message: string): Record<string, number> {
  const t = def[`runtime.v1.${message}`] as unknown as { type: { field: FieldInfo[] } };
  return Object.fromEntries(t.type.field.map((f) => [f.name, f.number]));
}

describe('CRI proto subset', () => {
  const upstream: Record<string, Record<string, number>> = {
    PodSandboxConfig: {
      metadata: 1,
      hostname: 2,
      log_directory: 3,
      dns_config: 4,
      port_mappings: 5,
      labels: 6,
      annotations: 7,
      linux: 8,
    },
    LinuxSandboxSecurityContext: {
      namespace_options: 1,
      run_as_user: 3,
      run_as_group: 8,
      readonly_rootfs: 4,
      privileged: 6,
      seccomp: 9,
    },
    ContainerConfig: {
      metadata: 1,
      image: 2,
      command: 3,
      args: 4,
      working_dir: 5,
      envs: 6,
      mounts: 7,
      log_path: 11,
      tty: 14,
      linux: 15,
    },
    LinuxContainerResources: {
      cpu_period: 1,
      cpu_quota: 2,
      cpu_shares: 3,
      memory_limit_in_bytes: 4,
      oom_score_adj: 5,
      unified: 9,
      memory_swap_limit_in_bytes: 10,
    },
    LinuxContainerSecurityContext: {
      capabilities: 1,
      privileged: 2,
      run_as_user: 5,
      run_as_group: 12,
      run_as_username: 6,
      no_new_privs: 11,
      seccomp: 15,
      apparmor: 16,
    },
    ContainerStatus: {
      id: 1,
      state: 3,
      created_at: 4,
      started_at: 5,
      finished_at: 6,
      exit_code: 7,
      image_ref: 9,
      reason: 10,
      message: 11,
      log_path: 15,
      image_id: 17,
    },
    ImageSpec: { image: 1, annotations: 2, user_specified_image: 18, runtime_handler: 19 },
    Image: { id: 1, repo_tags: 2, repo_digests: 3, size: 4, uid: 5, username: 6, spec: 7, pinned: 8 },
    ExecSyncResponse: { stdout: 1, stderr: 2, exit_code: 3 },
    ExecRequest: { container_id: 1, cmd: 2, tty: 3, stdin: 4, stdout: 5, stderr: 6 },
    AttachRequest: { container_id: 1, stdin: 2, tty: 3, stdout: 4, stderr: 5 },
    ContainerStats: { attributes: 1, cpu: 2, memory: 3, writable_layer: 4, swap: 5 },
    PodSandboxStatusResponse: { status: 1, info: 2, containers_statuses: 3, timestamp: 4 },
  };
  for (const [message, want] of Object.entries(upstream)) {
    it(`${message} has upstream's field numbers`, () => {
      const got = fields(message);
      for (const [f, n] of Object.entries(want)) assert.equal(got[f], n, `${message}.${f}`);
    });
  }

  it('has both services with the RPCs the kubelet calls', () => {
    const rt = def['runtime.v1.RuntimeService'] as unknown as Record<string, unknown>;
    const img = def['runtime.v1.ImageService'] as unknown as Record<string, unknown>;
    for (const m of [
      'Version',
      'RunPodSandbox',
      'StopPodSandbox',
      'RemovePodSandbox',
      'PodSandboxStatus',
      'ListPodSandbox',
      'CreateContainer',
      'StartContainer',
      'StopContainer',
      'RemoveContainer',
      'ListContainers',
      'ContainerStatus',
      'ExecSync',
      'Exec',
      'Attach',
      'PortForward',
      'ContainerStats',
      'ListContainerStats',
      'UpdateRuntimeConfig',
      'Status',
    ]) {
      assert.ok(rt[m], m);
    }
    for (const m of ['ListImages', 'ImageStatus', 'PullImage', 'RemoveImage', 'ImageFsInfo'])
      assert.ok(img[m], m);
    assert.equal((rt.RunPodSandbox as { path: string }).path, '/runtime.v1.RuntimeService/RunPodSandbox');
  });

  it('formats errors as Go grpc does, which the kubelet shows to users', () => {
    assert.equal(
      new CriError('PullImage', status.NOT_FOUND, 'not found').message,
      'rpc error: code = NotFound desc = not found',
    );
    assert.equal(
      new CriError('X', status.DEADLINE_EXCEEDED, 'd').message,
      'rpc error: code = DeadlineExceeded desc = d',
    );
    assert.equal(
      new CriError('X', status.INVALID_ARGUMENT, 'd').message,
      'rpc error: code = InvalidArgument desc = d',
    );
  });

  it('accepts unix endpoints in the kubelet flag forms', () => {
    assert.equal(
      criTarget('unix:///run/containerd/containerd.sock'),
      'unix:///run/containerd/containerd.sock',
    );
    assert.equal(criTarget('/run/containerd/containerd.sock'), 'unix:///run/containerd/containerd.sock');
  });
});
