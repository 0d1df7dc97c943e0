// securityContext → CRI and the sysctl admission, as upstream's kuberuntime and kubelet sysctl
// handler: merged fields, runAsNonRoot's texts, the Unconfined default, rejection messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerSecurityContext,
  sandboxSecurityContext,
  verifyRunAsNonRoot,
} from '../../../src/kubelet/runtime/security-context.js';
import { normalizeSysctlName, podSysctls, SysctlAllowlist } from '../../../src/kubelet/runtime/sysctls.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const NS = { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } as const;

function pod(spec: Record<string, unknown>, container: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'u-1' },
    spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec },
  } as Pod;
}
const c0 = (p: Pod) => p.spec.containers[0];

describe('container security context', () => {
  it('merges the pod fields under the container ones; groups fsGroup first', () => {
    const p = pod(
      { securityContext: { runAsUser: 1, runAsGroup: 2, fsGroup: 5, supplementalGroups: [6, 7] } },
      { securityContext: { runAsUser: 3, capabilities: { add: ['NET_ADMIN'] } } },
    );
    assert.deepEqual(containerSecurityContext(p, c0(p), NS), {
      namespace_options: NS,
      privileged: false,
      readonly_rootfs: false,
      no_new_privs: false,
      seccomp: { profile_type: 'Unconfined' },
      supplemental_groups: [5, 6, 7],
      capabilities: { add_capabilities: ['NET_ADMIN'], drop_capabilities: [] },
      run_as_user: { value: 3 },
      run_as_group: { value: 2 },
    });
  });

  it('no_new_privs only for an explicit allowPrivilegeEscalation: false; seccomp from the pod', () => {
    const p = pod(
      { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
      { securityContext: { allowPrivilegeEscalation: false } },
    );
    const sc = containerSecurityContext(p, c0(p), NS);
    assert.equal(sc.no_new_privs, true);
    assert.deepEqual(sc.seccomp, { profile_type: 'RuntimeDefault' });
    const open = pod({}, { securityContext: { allowPrivilegeEscalation: true } });
    assert.equal(containerSecurityContext(open, c0(open), NS).no_new_privs, false);
  });

  it("the image's user when runAsUser is unset: uid, else the name", () => {
    const p = pod({});
    assert.deepEqual(containerSecurityContext(p, c0(p), NS, { uid: 101 }).run_as_user, { value: 101 });
    const named = containerSecurityContext(p, c0(p), NS, { username: 'nginx' });
    assert.equal(named.run_as_username, 'nginx');
    assert.equal(named.run_as_user, undefined);
  });

  it('the sandbox is privileged when any container is', () => {
    const p = pod({ initContainers: [{ name: 'i', securityContext: { privileged: true } }] });
    assert.equal(sandboxSecurityContext(p, NS).privileged, true);
    assert.equal(sandboxSecurityContext(pod({}), NS).privileged, false);
  });
});

describe('runAsNonRoot', () => {
  const nonRoot = (user?: number) => pod({}, { securityContext: { runAsNonRoot: true, runAsUser: user } });
  it('refuses root, with upstream texts', () => {
    const where = '(pod: "p_ns(u-1)", container: c)';
    const p = nonRoot();
    assert.throws(
      () => verifyRunAsNonRoot(p, c0(p), { uid: 0 }),
      new Error(`container has runAsNonRoot and image will run as root ${where}`),
    );
    assert.throws(
      () => verifyRunAsNonRoot(p, c0(p), { username: 'app' }),
      new Error(
        `container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root ${where}`,
      ),
    );
    const zero = nonRoot(0);
    assert.throws(
      () => verifyRunAsNonRoot(zero, c0(zero), { uid: 5 }),
      new Error(`container's runAsUser breaks non-root policy ${where}`),
    );
  });
  it('accepts a non-root user from the spec or the image', () => {
    const p = nonRoot();
    assert.doesNotThrow(() => verifyRunAsNonRoot(p, c0(p), { uid: 1000 }));
    const set = nonRoot(1000);
    assert.doesNotThrow(() => verifyRunAsNonRoot(set, c0(set), { uid: 0 }));
    const off = pod({});
    assert.doesNotThrow(() => verifyRunAsNonRoot(off, c0(off), { uid: 0 }));
  });
});

describe('sysctls', () => {
  const withSysctls = (names: string[], extra: Record<string, unknown> = {}) =>
    pod({ securityContext: { sysctls: names.map((name) => ({ name, value: '1' })) }, ...extra });

  it('admits safe ones and the allowed unsafe patterns; rejects the rest', () => {
    const list = new SysctlAllowlist(['kernel.msg*', 'net.core.somaxconn']);
    assert.equal(
      list.admit(withSysctls(['kernel.shm_rmid_forced', 'kernel.msgmax', 'net.core.somaxconn'])),
      undefined,
    );
    assert.equal(
      new SysctlAllowlist().admit(withSysctls(['net.core.somaxconn'])),
      'forbidden sysctl: "net.core.somaxconn" not allowlisted',
    );
    assert.equal(
      list.admit(withSysctls(['net.ipv4.tcp_syncookies'], { hostNetwork: true })),
      'forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host net enabled',
    );
  });

  it('refuses an allowed-unsafe pattern that is not namespaced', () => {
    assert.throws(() => new SysctlAllowlist(['vm.swappiness']), /not known to be namespaced/);
  });

  it('slash-separated names are normalised', () => {
    assert.equal(normalizeSysctlName('net/ipv4/conf/eno2.100/rp_filter'), 'net.ipv4.conf.eno2/100.rp_filter');
    assert.equal(normalizeSysctlName('kernel.shm_rmid_forced'), 'kernel.shm_rmid_forced');
    assert.deepEqual(podSysctls(withSysctls(['kernel/shm_rmid_forced'])), { 'kernel.shm_rmid_forced': '1' });
  });
});
