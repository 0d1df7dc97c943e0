import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerdConfig,
  containerdPaths,
  registryHostsToml,
  removeMirrorHosts,
  writeMirrorHosts,
} from '../../../src/kubelet/containerd/config.js';
import { bridgeConflist, parseIPv4CIDR, writeBridgeConflist } from '../../../src/kubelet/cni/config.js';
import { cniChains, jumpsInto } from '../../../src/kubelet/cni/cleanup.js';

describe('containerd config', () => {
  const p = containerdPaths('/var/lib/k8ts');
  const toml = containerdConfig(p);

  it('keeps root, state and socket under <data-dir>/agent/containerd', () => {
    assert.equal(p.socket, '/var/lib/k8ts/agent/containerd/containerd.sock');
    assert.match(toml, /^root = "\/var\/lib\/k8ts\/agent\/containerd\/root"$/m);
    assert.match(toml, /^state = "\/var\/lib\/k8ts\/agent\/containerd\/state"$/m);
    assert.match(toml, /\[grpc\]\n\s+address = "\/var\/lib\/k8ts\/agent\/containerd\/containerd.sock"/);
    assert.match(
      toml,
      /\[plugins."io.containerd.internal.v1.opt"\]\n\s+path = "\/var\/lib\/k8ts\/agent\/containerd\/root\/opt"/,
    );
  });

  it('has the settings this machine needs (oom score, netns mounts, runc with cgroupfs)', () => {
    for (const line of [
      'restrict_oom_score_adj = true',
      'netns_mounts_under_state_dir = true',
      'disable_apparmor = true',
      'sandbox_image = "registry.k8s.io/pause:3.9"',
      'runtime_type = "io.containerd.runc.v2"',
      'BinaryName = "/usr/sbin/runc"',
      'SystemdCgroup = false',
      'snapshotter = "overlayfs"',
      'bin_dir = "/usr/lib/cni"',
      'conf_dir = "/var/lib/k8ts/agent/etc/cni/net.d"',
      'config_path = "/var/lib/k8ts/agent/containerd/certs.d"',
      'discard_unpacked_layers = false',
    ]) {
      assert.ok(toml.includes(line), line);
    }
  });

  it('quotes paths as TOML strings', () => {
    const odd = containerdConfig(containerdPaths('/data/with "quote"'));
    assert.ok(odd.includes('root = "/data/with \\"quote\\"/agent/containerd/root"'));
  });

  it('writes registry hosts for the mirror, falling back to the registry', () => {
    assert.equal(
      registryHostsToml('https://registry-1.docker.io', 'http://127.0.0.1:5001'),
      '# Written by the k8ts agent: the embedded registry mirror first, then the registry.\n' +
        'server = "https://registry-1.docker.io"\n\n[host."http://127.0.0.1:5001"]\n  capabilities = ["pull", "resolve"]\n',
    );
  });
});

describe('registry mirror hosts', () => {
  it('points docker.io, registry.k8s.io and k8ts.io at the mirror, and removes only its own files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    writeMirrorHosts(dir, 'http://127.0.0.1:5001');
    assert.deepEqual(readdirSync(dir).sort(), ['docker.io', 'k8ts.io', 'registry.k8s.io']);
    assert.match(
      readFileSync(join(dir, 'registry.k8s.io', 'hosts.toml'), 'utf8'),
      /^server = "https:\/\/registry.k8s.io"$/m,
    );
    mkdirSync(join(dir, 'quay.io'));
    writeFileSync(join(dir, 'quay.io', 'hosts.toml'), 'server = "https://quay.io"\n');
    writeFileSync(join(dir, 'k8ts.io', 'hosts.toml'), '# mine\nserver = "https://k8ts.io"\n');
    removeMirrorHosts(dir);
    assert.equal(existsSync(join(dir, 'docker.io', 'hosts.toml')), false);
    assert.equal(existsSync(join(dir, 'k8ts.io', 'hosts.toml')), true, "a user's file stays");
    assert.equal(existsSync(join(dir, 'quay.io', 'hosts.toml')), true);
  });
});

describe('CNI bridge network', () => {
  it('is a bridge + host-local over the podCIDR, then portmap and bandwidth', () => {
    const c = bridgeConflist({ podCIDR: '10.42.0.0/24', ipamDataDir: '/d/cni' }) as {
      name: string;
      plugins: {
        type: string;
        bridge?: string;
        ipam?: { ranges: { subnet: string }[][]; dataDir: string };
      }[];
    };
    assert.equal(c.name, 'k8ts');
    assert.deepEqual(
      c.plugins.map((p) => p.type),
      ['bridge', 'portmap', 'bandwidth'],
    );
    assert.equal(c.plugins[0].bridge, 'cni0');
    assert.deepEqual(c.plugins[0].ipam?.ranges, [[{ subnet: '10.42.0.0/24' }]]);
    assert.equal(c.plugins[0].ipam?.dataDir, '/d/cni');
  });

  it('rejects bad podCIDRs with a clear error', () => {
    assert.throws(() => parseIPv4CIDR('10.42.0.0'), /invalid CIDR address: 10.42.0.0/);
    assert.throws(() => parseIPv4CIDR('10.42.0.300/24'), /invalid CIDR address/);
    assert.throws(() => parseIPv4CIDR('10.42.0.1/24'), /host bits set/);
    assert.throws(() => parseIPv4CIDR('10.42.0.0/31'), /too small/);
    assert.deepEqual(parseIPv4CIDR('10.42.0.0/16'), { network: 0x0a2a0000, prefix: 16 });
  });

  it('writes the conflist once and reports whether it changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cni-'));
    const o = { podCIDR: '10.42.1.0/24', ipamDataDir: '/d' };
    assert.equal(writeBridgeConflist(dir, o), true);
    assert.equal(writeBridgeConflist(dir, o), false);
    assert.equal(writeBridgeConflist(dir, { ...o, podCIDR: '10.42.2.0/24' }), true);
    assert.deepEqual(readdirSync(dir), ['10-k8ts.conflist']);
    assert.equal(
      JSON.parse(readFileSync(join(dir, '10-k8ts.conflist'), 'utf8')).plugins[0].ipam.ranges[0][0].subnet,
      '10.42.2.0/24',
    );
  });
});

describe('CNI host state cleanup', () => {
  const save = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':CNI-HOSTPORT-DNAT - [0:0]',
    ':CNI-HOSTPORT-MASQ - [0:0]',
    ':CNI-0123456789abcdef01234567 - [0:0]',
    ':CNI-fedcba9876543210fedcba98 - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
    '-A POSTROUTING -s 10.42.0.5/32 -m comment --comment "name: \\"k8ts\\" id: \\"abc\\"" -j CNI-0123456789abcdef01234567',
    '-A POSTROUTING -s 10.88.0.5/32 -m comment --comment "name: \\"podman\\" id: \\"x\\"" -j CNI-fedcba9876543210fedcba98',
    '-A PREROUTING -j KUBE-SERVICES',
    'COMMIT',
  ].join('\n');

  it('finds portmap chains and our bridge masquerade chains, not other networks or kube-proxy', () => {
    assert.deepEqual(cniChains(save), [
      'CNI-0123456789abcdef01234567',
      'CNI-HOSTPORT-DNAT',
      'CNI-HOSTPORT-MASQ',
    ]);
  });

  it('finds the jumps into them as iptables -D arguments', () => {
    const rules = jumpsInto(save, cniChains(save));
    assert.equal(rules.length, 3);
    assert.deepEqual(rules[2], [
      'POSTROUTING',
      '-s',
      '10.42.0.5/32',
      '-m',
      'comment',
      '--comment',
      'name: "k8ts" id: "abc"',
      '-j',
      'CNI-0123456789abcdef01234567',
    ]);
  });
});
