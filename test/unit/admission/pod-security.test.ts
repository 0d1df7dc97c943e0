// PodSecurity: namespace labels, enforce/warn texts for baseline and restricted, workloads,
// and the existing-pods warning when a namespace is tightened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, pod, type Cluster } from './fixture.js';
import { podSecurity } from '../../../src/apiserver/admission/pod-security/plugin.js';
import {
  evaluatePod,
  forbiddenDetail,
  namespacePolicy,
} from '../../../src/apiserver/admission/pod-security/policy.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [podSecurity(deps)]);
});
after(() => c.close());

const ns = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const L = 'pod-security.kubernetes.io/';

/** A pod that passes restricted. */
function restrictedPod(name: string): KubeObject {
  return pod(
    name,
    {},
    {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'c',
          image: 'nginx',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  );
}

test('restricted enforce refuses a plain pod with every reason in upstream order', async () => {
  await c.create('namespaces', ns('r', { [`${L}enforce`]: 'restricted' }), '');
  const e = await c.refused('pods', pod('c'), 'r');
  assert.equal(e.code, 403);
  assert.equal(
    e.message,
    'pods "c" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  await c.create('pods', restrictedPod('ok'), 'r');
});

test('baseline: privileged, host namespaces, hostPath, host ports, capabilities', async () => {
  await c.create(
    'namespaces',
    ns('b', { [`${L}enforce`]: 'baseline', [`${L}enforce-version`]: 'v1.31' }),
    '',
  );
  const bad = pod(
    'bad',
    {},
    {
      hostNetwork: true,
      hostPID: true,
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
      containers: [
        {
          name: 'a',
          image: 'i',
          ports: [{ containerPort: 80, hostPort: 8080 }],
          securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_TIME'] } },
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
        },
      ],
    },
  );
  const e = await c.refused('pods', bad, 'b');
  assert.equal(
    e.message,
    'pods "bad" is forbidden: violates PodSecurity "baseline:v1.31": non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "host"), hostPort (container "a" uses hostPort 8080), privileged (container "a" must not set securityContext.privileged=true)',
  );
  // baseline lets an ordinary pod in
  await c.create('pods', pod('plain'), 'b');
});

test('warn gives a warning and lets the pod in; workloads only ever warn', async () => {
  await c.create('namespaces', ns('w', { [`${L}enforce`]: 'baseline', [`${L}warn`]: 'restricted' }), '');
  const st = c.store('pods');
  const ctx = c.ctx('w');
  const p = pod('warned');
  p.metadata.namespace = 'w';
  await st.create(p, ctx);
  assert.deepEqual(ctx.warnings, [
    'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  ]);
  await c.create('namespaces', ns('wd', { [`${L}enforce`]: 'restricted' }), '');
  const dctx = c.ctx('wd');
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'wd' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] },
      },
    },
  };
  // warn follows enforce: a deployment is warned about (never refused)
  await c.store('deployments', 'apps').create(structuredClone(deploy) as KubeObject, dctx);
  assert.equal(dctx.warnings.length, 1);
  assert.equal(
    dctx.warnings[0],
    'would violate PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  );
  await c.create('namespaces', ns('wq', { [`${L}enforce`]: 'restricted', [`${L}warn`]: 'privileged' }), '');
  const quiet = c.ctx('wq');
  await c
    .store('deployments', 'apps')
    .create({ ...structuredClone(deploy), metadata: { name: 'd', namespace: 'wq' } } as KubeObject, quiet);
  assert.deepEqual(quiet.warnings, []);
  await c.create('namespaces', ns('wd2', { [`${L}warn`]: 'baseline' }), '');
  const d2 = c.ctx('wd2');
  await c
    .store('deployments', 'apps')
    .create({ ...structuredClone(deploy), metadata: { name: 'd', namespace: 'wd2' } } as KubeObject, d2);
  assert.deepEqual(d2.warnings, [
    'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
  ]);
});

test('invalid labels are refused with upstream field errors', async () => {
  const e = await c.refused(
    'namespaces',
    ns('bad', { [`${L}enforce`]: 'strict', [`${L}warn-version`]: '1.25' }),
    '',
  );
  assert.equal(e.code, 422);
  assert.equal(
    e.message,
    'Namespace "bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"]',
  );
});

test('tightening enforce warns about the pods already there', async () => {
  await c.create('namespaces', ns('t', {}), '');
  await c.create('pods', pod('p1'), 't');
  await c.create('pods', pod('p2'), 't');
  await c.create('pods', restrictedPod('fine'), 't');
  const store = c.store('namespaces');
  const ctx = c.ctx();
  await store.update(undefined, 't', ctx, (cur) => ({
    ...cur,
    metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [`${L}enforce`]: 'restricted' } },
  }));
  assert.deepEqual(ctx.warnings, [
    'existing pods in namespace "t" violate the new PodSecurity enforce level "restricted:latest"',
    'p1 (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
  ]);
});

test('label policy: warn defaults to a stricter enforce level and version', () => {
  assert.deepEqual(
    namespacePolicy({ [`${L}enforce`]: 'baseline', [`${L}enforce-version`]: 'v1.22' }).policy.warn,
    {
      level: 'baseline',
      minor: 22,
    },
  );
  assert.deepEqual(
    namespacePolicy({ [`${L}enforce`]: 'baseline', [`${L}warn-version`]: 'v1.23' }).policy.warn,
    { level: 'baseline', minor: 23 },
  );
  assert.deepEqual(namespacePolicy({ [`${L}enforce`]: 'baseline', [`${L}warn`]: 'foo' }).policy.warn, {
    level: 'privileged',
    minor: undefined,
  });
  assert.deepEqual(namespacePolicy({ [`${L}enforce`]: 'foo' }).policy, {
    enforce: { level: 'restricted', minor: undefined },
    audit: { level: 'privileged', minor: undefined },
    warn: { level: 'privileged', minor: undefined },
  });
});

test('versions: runAsUser=0 is a restricted violation from v1.23; sysctls allowed grow with versions', () => {
  const spec = {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 0,
      seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '1' }],
    },
    containers: [
      {
        name: 'c',
        image: 'i',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  };
  assert.equal(
    forbiddenDetail(evaluatePod({ level: 'restricted', minor: undefined }, {}, spec)),
    'runAsUser=0 (pod must not set runAsUser=0)',
  );
  assert.equal(
    forbiddenDetail(evaluatePod({ level: 'restricted', minor: 22 }, {}, spec)),
    'forbidden sysctls (net.ipv4.tcp_keepalive_time)',
  );
  const sel = {
    containers: [
      { name: 'c', image: 'i', securityContext: { seLinuxOptions: { type: 'spc_t', user: 'u' } } },
    ],
  };
  assert.equal(
    forbiddenDetail(evaluatePod({ level: 'baseline', minor: undefined }, {}, sel)),
    'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
  );
  const vols = {
    volumes: [
      { name: 'n', nfs: { server: 's', path: '/' } },
      { name: 'h', hostPath: { path: '/' } },
    ],
    containers: [],
  };
  assert.match(
    forbiddenDetail(evaluatePod({ level: 'restricted', minor: undefined }, {}, vols)),
    /restricted volume types \(volumes "n", "h" use restricted volume types "hostPath", "nfs"\)/,
  );
});
