// configMap, secret, downwardAPI and projected volumes without containers: upstream's atomic
// writer layout (..data → timestamped directory, top-level symlinks), modes, items, optional,
// and the errors the kubelet reports in FailedMount events and CreateContainerConfigError.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/api/types.js';
import { writeAtomic, type Payload } from '../../../src/kubelet/volumes/atomic-writer.js';
import { formatMap, resourceFieldRefValue } from '../../../src/kubelet/volumes/downward.js';
import { volumePayload, type VolumeObjects } from '../../../src/kubelet/volumes/sources.js';
import { PodVolumes } from '../../../src/kubelet/volumes/manager.js';
import { buildEnv } from '../../../src/kubelet/runtime/env.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

describe('atomic writer', () => {
  it('lays files out as upstream: ..data → ..<timestamp>, top-level entries through ..data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    try {
      const p: Payload = new Map([
        ['game.properties', file('lives=3')],
        ['conf/ui.properties', file('color=red', 0o400)],
      ]);
      assert.equal(writeAtomic(dir, p, new Date('2024-01-02T15:04:05Z')), true);
      const ts = readlinkSync(join(dir, '..data'));
      assert.match(ts, /^\.\.2024_01_02_15_04_05\.\d{9}$/);
      assert.equal(readlinkSync(join(dir, 'game.properties')), '..data/game.properties');
      assert.equal(readlinkSync(join(dir, 'conf')), '..data/conf');
      assert.equal(readFileSync(join(dir, 'conf', 'ui.properties'), 'utf8'), 'color=red');
      assert.equal(statSync(join(dir, 'conf', 'ui.properties')).mode & 0o777, 0o400);
      assert.deepEqual(readdirSync(dir).sort(), ['..data', ts, 'conf', 'game.properties'].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unchanged payload writes nothing; a change swaps ..data and drops old keys and the old directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    try {
      writeAtomic(
        dir,
        new Map([
          ['a', file('1')],
          ['b', file('2')],
        ]),
      );
      const first = readlinkSync(join(dir, '..data'));
      assert.equal(
        writeAtomic(
          dir,
          new Map([
            ['a', file('1')],
            ['b', file('2')],
          ]),
        ),
        false,
      );
      assert.equal(readlinkSync(join(dir, '..data')), first);
      assert.equal(writeAtomic(dir, new Map([['a', file('changed')]])), true);
      const second = readlinkSync(join(dir, '..data'));
      assert.notEqual(second, first);
      assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
      assert.deepEqual(readdirSync(dir).sort(), ['..data', second, 'a'].sort());
      assert.ok(lstatSync(join(dir, 'a')).isSymbolicLink());
      // a mode change alone is a change
      assert.equal(writeAtomic(dir, new Map([['a', file('changed', 0o600)]])), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects paths upstream rejects, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-'));
    try {
      assert.throws(
        () => writeAtomic(dir, new Map([['../x', file('')]])),
        /^Error: invalid path: must not contain '\.\.': \.\.\/x$/,
      );
      assert.throws(
        () => writeAtomic(dir, new Map([['/etc/x', file('')]])),
        /must be relative path: \/etc\/x/,
      );
      assert.throws(
        () => writeAtomic(dir, new Map([['..x', file('')]])),
        /must not start with '\.\.': \.\.x/,
      );
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const pod = {
  metadata: {
    name: 'p',
    namespace: 'ns1',
    uid: 'u1',
    labels: { zone: 'us-est-coast', cluster: 'test-cluster1' },
    annotations: { build: 'two' },
  },
  spec: {
    containers: [
      { name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } },
    ],
  },
} as unknown as Pod;

const cm = {
  metadata: { name: 'cfg' },
  data: { 'game.properties': 'lives=3', ui: 'dark' },
  binaryData: { bin: Buffer.from([1, 2]).toString('base64') },
} as unknown as KubeObject;
const secret = {
  metadata: { name: 's' },
  data: { password: Buffer.from('hunter2').toString('base64') },
} as unknown as KubeObject;
const objs: VolumeObjects = {
  configMap: (n) => (n === 'cfg' ? cm : undefined),
  secret: (n) => (n === 's' ? secret : undefined),
  token: (exp, aud) => `token-${exp}-${aud}`,
  podIP: '10.0.0.5',
};
const text = (p: Payload | undefined) =>
  Object.fromEntries([...(p ?? [])].map(([k, v]) => [k, [v.data.toString('utf8'), v.mode.toString(8)]]));

describe('volume sources', () => {
  it('configMap: every key with defaultMode, binaryData decoded; items map keys to paths with modes', () => {
    const all = volumePayload(pod, { name: 'v', configMap: { name: 'cfg' } }, objs)!;
    assert.deepEqual([...all.keys()].sort(), ['bin', 'game.properties', 'ui']);
    assert.deepEqual(all.get('bin')!.data, Buffer.from([1, 2]));
    assert.deepEqual(
      text(
        volumePayload(
          pod,
          {
            name: 'v',
            configMap: {
              name: 'cfg',
              defaultMode: 0o400,
              items: [
                { key: 'ui', path: 'conf/ui', mode: 0o600 },
                { key: 'game.properties', path: 'g' },
              ],
            },
          },
          objs,
        ),
      ),
      { 'conf/ui': ['dark', '600'], g: ['lives=3', '400'] },
    );
  });
  it("configMap missing or lacking a key fails with upstream's messages; optional gives what exists", () => {
    assert.throws(
      () => volumePayload(pod, { name: 'v', configMap: { name: 'nope' } }, objs),
      /^Error: configmap "nope" not found$/,
    );
    assert.throws(
      () =>
        volumePayload(pod, { name: 'v', configMap: { name: 'cfg', items: [{ key: 'x', path: 'x' }] } }, objs),
      /^Error: configmap references non-existent config key: x$/,
    );
    assert.deepEqual(
      text(volumePayload(pod, { name: 'v', configMap: { name: 'nope', optional: true } }, objs)),
      {},
    );
  });
  it('secret: base64-decoded, defaultMode honoured, missing secret and key as upstream', () => {
    assert.deepEqual(
      text(volumePayload(pod, { name: 'v', secret: { secretName: 's', defaultMode: 0o400 } }, objs)),
      { password: ['hunter2', '400'] },
    );
    assert.throws(
      () => volumePayload(pod, { name: 'v', secret: { secretName: 'x' } }, objs),
      /^Error: secret "x" not found$/,
    );
    assert.throws(
      () =>
        volumePayload(
          pod,
          { name: 'v', secret: { secretName: 's', items: [{ key: 'k', path: 'k' }] } },
          objs,
        ),
      /^Error: references non-existent secret key: k$/,
    );
  });
  it('downwardAPI: labels and annotations as sorted key="value" lines, names, resources with divisors', () => {
    const p = volumePayload(
      pod,
      {
        name: 'v',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'zone', fieldRef: { fieldPath: "metadata.labels['zone']" } },
            {
              path: 'mem',
              resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
            },
            {
              path: 'cpu',
              resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' },
            },
          ],
        },
      },
      objs,
    );
    assert.deepEqual(text(p), {
      labels: ['cluster="test-cluster1"\nzone="us-est-coast"', '644'],
      annotations: ['build="two"', '644'],
      name: ['p', '644'],
      zone: ['us-est-coast', '644'],
      mem: ['64', '644'],
      cpu: ['250', '644'],
    });
    assert.equal(formatMap({}), '');
    assert.equal(resourceFieldRefValue(pod, { resource: 'requests.cpu' }, 'c'), '1'); // 250m rounded up to whole cores
  });
  it('projected: token, configMap item, downwardAPI namespace under one defaultMode (kube-api-access)', () => {
    const p = volumePayload(
      pod,
      {
        name: 'kube-api-access-x',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'cfg', items: [{ key: 'ui', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                ],
              },
            },
            { secret: { name: 's' } },
          ],
        },
      },
      objs,
    );
    assert.deepEqual(text(p), {
      token: ['token-3607-', '644'],
      'ca.crt': ['dark', '644'],
      namespace: ['ns1', '644'],
      password: ['hunter2', '644'],
    });
  });
});

describe('pod volumes', () => {
  it('stays unmounted with a FailedMount event until the ConfigMap exists, then follows its changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-'));
    try {
      let current: KubeObject | undefined;
      const events: string[] = [];
      const withVolume = {
        ...pod,
        spec: { ...pod.spec, volumes: [{ name: 'config', configMap: { name: 'cfg' } }] },
      } as Pod;
      const v = new PodVolumes(withVolume, dir, {
        getObject: async (r, ns, n) =>
          r === 'configmaps' && ns === 'ns1' && n === 'cfg' ? current : undefined,
        event: (type, reason, message) => events.push(`${type} ${reason} ${message}`),
        podIP: () => undefined,
      });
      assert.equal(await v.ensure(0), false);
      assert.deepEqual(events, [
        'Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "cfg" not found',
      ]);
      assert.equal(await v.ensure(100), false, 'retries wait for the back-off');
      assert.equal(events.length, 1);
      current = cm;
      assert.equal(await v.ensure(1000), true);
      const vol = join(dir, 'volumes', 'kubernetes.io~configmap', 'config');
      assert.equal(readFileSync(join(vol, 'ui'), 'utf8'), 'dark');
      current = { ...cm, data: { ui: 'light' } } as unknown as KubeObject;
      await v.ensure(2000);
      assert.equal(readFileSync(join(vol, 'ui'), 'utf8'), 'dark', 'not before the resync period');
      await v.ensure(1000 + 30_000);
      assert.equal(readFileSync(join(vol, 'ui'), 'utf8'), 'light');
      assert.deepEqual(
        readdirSync(vol)
          .filter((e) => !e.startsWith('..'))
          .sort(),
        ['bin', 'ui'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('container environment', () => {
  const env = (c: object) =>
    buildEnv(
      pod,
      { name: 'c', ...c },
      { configmaps: new Map([['cfg', cm]]), secrets: new Map([['s', secret]]) },
      { podIP: '10.0.0.5' },
    );
  it('envFrom with prefix first, then env with valueFrom and $(VAR) expansion', () => {
    const vars = env({
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 's' } }],
      env: [
        { name: 'UI', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'ui' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MSG', value: '$(UI)-$(password)-$(NOPE)' },
      ],
    });
    assert.equal(vars.get('CFG_ui'), 'dark');
    assert.equal(vars.get('password'), 'hunter2');
    assert.equal(vars.get('UI'), 'dark');
    assert.equal(vars.get('PW'), 'hunter2');
    assert.equal(vars.get('IP'), '10.0.0.5');
    assert.equal(vars.get('MEM'), '64');
    assert.equal(vars.get('MSG'), 'dark-hunter2-$(NOPE)');
  });
  it('a missing ConfigMap, Secret or key is the CreateContainerConfigError message; optional ones are skipped', () => {
    assert.throws(
      () => env({ envFrom: [{ configMapRef: { name: 'x' } }] }),
      /^Error: configmap "x" not found$/,
    );
    assert.throws(
      () => env({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'y', key: 'k' } } }] }),
      /^Error: secret "y" not found$/,
    );
    assert.throws(
      () => env({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }),
      /^Error: couldn't find key k in ConfigMap ns1\/cfg$/,
    );
    assert.equal(
      env({
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'k', optional: true } } }],
      }).has('A'),
      false,
    );
  });
});
