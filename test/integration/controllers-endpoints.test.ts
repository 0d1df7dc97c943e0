// The Endpoints, EndpointSlice and mirroring controllers against a real server. Pods are made
// running and ready by writing pods/status, as a kubelet would (spec.nodeName set at create).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const NS = 'ep';

interface Slice {
  metadata: {
    name: string;
    labels: Record<string, string>;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
  addressType: string;
  endpoints?: {
    addresses: string[];
    conditions: Record<string, boolean>;
    hostname?: string;
    nodeName?: string;
    targetRef?: { name: string };
  }[];
  ports?: { name?: string; port: number; protocol: string }[] | null;
}

describe('endpoints and endpointslice controllers', () => {
  let s: TestServer;

  async function pod(
    name: string,
    ip: string,
    opts: {
      labels?: Record<string, string>;
      ready?: boolean;
      port?: number;
      hostname?: string;
      subdomain?: string;
      finalizers?: string[];
    } = {},
  ) {
    await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: opts.labels ?? { app: 'web' }, finalizers: opts.finalizers },
      spec: {
        nodeName: 'node-1',
        hostname: opts.hostname,
        subdomain: opts.subdomain,
        containers: [
          { name: 'c', image: 'nginx', ports: [{ name: 'web', containerPort: opts.port ?? 8080 }] },
        ],
      },
    });
    await setStatus(name, ip, opts.ready ?? true);
  }

  async function setStatus(name: string, ip: string, ready: boolean) {
    await apiOk(
      s,
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/${name}/status`,
      {
        status: {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
  }

  const endpointsJSON = async (name: string) =>
    apiOk<{
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      subsets?: unknown[];
    }>(s, 'GET', `/api/v1/namespaces/${NS}/endpoints/${name}`);
  const slicesOf = async (svc: string) =>
    (
      await apiOk<{ items: Slice[] }>(
        s,
        'GET',
        `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`,
      )
    ).items;

  before(async () => {
    s = await startServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
    await kubectlOk(
      s,
      ['-n', NS, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', labels: { tier: 'front' } },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
      }),
    );
    await pod('web-a', '10.42.0.5');
    await pod('web-b', '10.42.0.6', { port: 9090 });
    await pod('web-c', '10.42.0.7', { ready: false });
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('lists ready pods with their named target port resolved per pod', async () => {
    const out = await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'web', '--no-headers'],
      /10\.42\.0\.5:8080/,
    );
    // two subsets (different ports), in the order of their hashes, which cover the pods' uids
    assert.match(out, /^web\s+(10\.42\.0\.5:8080,10\.42\.0\.6:9090|10\.42\.0\.6:9090,10\.42\.0\.5:8080)\s/);
  });

  it('puts pods that are not ready in notReadyAddresses, with nodeName and targetRef', async () => {
    await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].notReadyAddresses[*].ip}'],
      /10\.42\.0\.7/,
    );
    const ep = await endpointsJSON('web');
    const sub = (
      ep.subsets as {
        notReadyAddresses?: { ip: string; nodeName: string; targetRef: { kind: string; name: string } }[];
      }[]
    ).find((x) => x.notReadyAddresses)!;
    assert.equal(sub.notReadyAddresses![0].nodeName, 'node-1');
    assert.deepEqual(
      { kind: sub.notReadyAddresses![0].targetRef.kind, name: sub.notReadyAddresses![0].targetRef.name },
      { kind: 'Pod', name: 'web-c' },
    );
    assert.equal(ep.metadata.labels?.tier, 'front', 'Endpoints carry the service labels');
    assert.match(
      ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '',
      /^\d{4}-\d\d-\d\dT/,
    );
  });

  it('makes an EndpointSlice named <service>-<5 chars> with labels, owner and conditions', async () => {
    await eventually(
      s,
      [
        '-n',
        NS,
        'get',
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=web',
        '-o',
        'jsonpath={.items[*].endpoints[*].addresses[0]}',
      ],
      /10\.42\.0\.7/,
    );
    const slices = await slicesOf('web');
    assert.equal(slices.length, 2, 'two port sets (8080 and 9090) make two slices');
    for (const sl of slices) {
      assert.match(sl.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.equal(
        sl.metadata.labels['endpointslice.kubernetes.io/managed-by'],
        'endpointslice-controller.k8s.io',
      );
      assert.equal(sl.metadata.labels.tier, 'front');
      assert.equal(sl.addressType, 'IPv4');
      assert.deepEqual(
        sl.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.controller]),
        [['Service', 'web', true]],
      );
    }
    const eps = slices.flatMap((x) => x.endpoints ?? []);
    const c = eps.find((e) => e.targetRef?.name === 'web-c')!;
    assert.deepEqual(c.conditions, { ready: false, serving: false, terminating: false });
    assert.equal(c.nodeName, 'node-1');
    const b = slices.find((x) => x.endpoints?.some((e) => e.targetRef?.name === 'web-b'))!;
    assert.deepEqual(b.ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
  });

  it('drops a terminating pod from Endpoints but keeps it in slices as terminating', async () => {
    await pod('web-d', '10.42.0.8', { finalizers: ['example.com/hold'] });
    await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'],
      /10\.42\.0\.8/,
    );
    await kubectlOk(s, ['-n', NS, 'delete', 'pod', 'web-d', '--wait=false']);
    await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'],
      (o) => !o.includes('10.42.0.8'),
    );
    await eventually(
      s,
      ['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'],
      (out) => {
        const items = (JSON.parse(out) as { items: Slice[] }).items;
        const d = items.flatMap((x) => x.endpoints ?? []).find((e) => e.targetRef?.name === 'web-d');
        return (
          !!d &&
          d.conditions.terminating === true &&
          d.conditions.ready === false &&
          d.conditions.serving === true
        );
      },
    );
    await kubectlOk(s, [
      '-n',
      NS,
      'patch',
      'pod',
      'web-d',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
  });

  it('follows readiness changes', async () => {
    await setStatus('web-c', '10.42.0.7', true);
    await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'],
      /10\.42\.0\.7/,
    );
  });

  it('lists pods that are not ready as ready with publishNotReadyAddresses', async () => {
    await kubectlOk(
      s,
      ['-n', NS, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'pub' },
        spec: {
          selector: { app: 'pub' },
          publishNotReadyAddresses: true,
          ports: [{ port: 80, targetPort: 8080 }],
        },
      }),
    );
    await pod('pub-a', '10.42.1.1', { labels: { app: 'pub' }, ready: false });
    const out = await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'pub', '--no-headers'],
      /10\.42\.1\.1:8080/,
    );
    assert.match(out, /^pub\s+10\.42\.1\.1:8080\s/);
    await eventually(
      s,
      [
        '-n',
        NS,
        'get',
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=pub',
        '-o',
        'jsonpath={.items[0].endpoints[0].conditions.ready}',
      ],
      /^true$/,
    );
  });

  it('publishes hostnames of a headless service and labels it headless', async () => {
    await kubectlOk(
      s,
      ['-n', NS, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db' },
        spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] },
      }),
    );
    await pod('db-0', '10.42.2.1', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    const host = await eventually(
      s,
      ['-n', NS, 'get', 'endpoints', 'db', '-o', 'jsonpath={.subsets[0].addresses[0].hostname}'],
      /db-0/,
    );
    assert.equal(host, 'db-0');
    const ep = await endpointsJSON('db');
    assert.equal(ep.metadata.labels?.['service.kubernetes.io/headless'], '');
    await eventually(
      s,
      [
        '-n',
        NS,
        'get',
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=db',
        '-o',
        'jsonpath={.items[0].endpoints[0].hostname}',
      ],
      /^db-0$/,
    );
  });

  it('keeps one empty EndpointSlice for a service that selects nothing', async () => {
    await kubectlOk(s, ['-n', NS, 'create', 'service', 'clusterip', 'lonely', '--tcp=80:80']);
    await eventually(
      s,
      ['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=lonely', '-o', 'name'],
      /endpointslice/,
    );
    const slices = await slicesOf('lonely');
    assert.equal(slices.length, 1);
    assert.equal((slices[0].endpoints ?? []).length, 0);
    const out = await eventually(s, ['-n', NS, 'get', 'endpoints', 'lonely', '--no-headers'], /<none>/);
    assert.match(out, /^lonely\s+<none>/);
  });

  it('splits more than 100 endpoints over several slices', async () => {
    await kubectlOk(
      s,
      ['-n', NS, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'many' },
        spec: { selector: { app: 'many' }, ports: [{ port: 80, targetPort: 8080 }] },
      }),
    );
    const N = 130;
    for (let i = 0; i < N; i += 26) {
      await Promise.all(
        Array.from({ length: 26 }, (_, j) =>
          pod(`many-${i + j}`, `10.42.3.${i + j + 1}`, { labels: { app: 'many' } }),
        ),
      );
    }
    await eventually(
      s,
      ['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=many', '-o', 'json'],
      (out) =>
        (JSON.parse(out) as { items: Slice[] }).items.reduce((n, x) => n + (x.endpoints?.length ?? 0), 0) ===
        N,
      40_000,
    );
    const slices = await slicesOf('many');
    assert.deepEqual(
      slices.map((x) => x.endpoints!.length).sort((a, b) => a - b),
      [30, 100],
    );
  });

  it('deletes Endpoints and slices with their service', async () => {
    await kubectlOk(s, ['-n', NS, 'delete', 'service', 'pub']);
    await eventually(s, ['-n', NS, 'get', 'endpoints', 'pub', '--ignore-not-found', '-o', 'name'], /^$/);
    await eventually(
      s,
      ['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=pub', '-o', 'name'],
      /^$/,
    );
  });

  it('mirrors user-made Endpoints of a selector-less service into slices', async () => {
    await kubectlOk(
      s,
      ['-n', NS, 'apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'ext' },
            spec: { ports: [{ name: 'https', port: 443 }] },
          },
          {
            apiVersion: 'v1',
            kind: 'Endpoints',
            metadata: { name: 'ext', labels: { team: 'a' } },
            subsets: [
              {
                addresses: [{ ip: '192.0.2.10' }],
                notReadyAddresses: [{ ip: '192.0.2.11' }],
                ports: [{ name: 'https', port: 443 }],
              },
            ],
          },
        ],
      }),
    );
    await eventually(
      s,
      ['-n', NS, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=ext', '-o', 'name'],
      /endpointslice/,
    );
    const [sl] = await slicesOf('ext');
    assert.equal(
      sl.metadata.labels['endpointslice.kubernetes.io/managed-by'],
      'endpointslicemirroring-controller.k8s.io',
    );
    assert.equal(sl.metadata.labels.team, 'a');
    assert.deepEqual(
      sl.metadata.ownerReferences?.map((o) => [o.kind, o.name]),
      [['Endpoints', 'ext']],
    );
    assert.deepEqual(
      sl.endpoints?.map((e) => [e.addresses[0], e.conditions.ready]),
      [
        ['192.0.2.10', true],
        ['192.0.2.11', false],
      ],
    );
    assert.deepEqual(sl.ports, [{ name: 'https', port: 443, protocol: 'TCP' }]);
    // the user's Endpoints are theirs: the endpoints controller leaves them as written
    const ep = await endpointsJSON('ext');
    assert.equal((ep.subsets as unknown[]).length, 1);
  });

  it('leaves the kubernetes service endpoints to the API server', async () => {
    const slices = await apiOk<{ items: Slice[] }>(
      s,
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes',
    );
    for (const sl of slices.items)
      assert.notEqual(
        sl.metadata.labels['endpointslice.kubernetes.io/managed-by'],
        'endpointslicemirroring-controller.k8s.io',
      );
  });
});
