// Webhook conversion and selectable fields of CustomResourceDefinitions through the real
// kubectl: a small TLS conversion webhook (its own CA, handed over in caBundle) converts a
// Widget between v1 (`spec.host: "name:port"`) and v2 (`spec.host` and `spec.port` apart); reads,
// lists, watches and writes in either version, storage version migration on update, upstream's
// failure texts, field selectors on selectableFields, and the CRD validation of both.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issue } from '../../src/pki/certs.js';
import { cleanup, startServer, type TestServer } from './harness.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; generation?: number; uid?: string };
  spec?: { host?: string; port?: number };
}
interface Review {
  request: { uid: string; desiredAPIVersion: string; objects: Obj[] };
}

function convertOne(o: Obj, to: string): Obj {
  const out: Obj = structuredClone(o);
  out.apiVersion = to;
  const spec = o.spec ?? {};
  if (to.endsWith('/v2') && o.apiVersion.endsWith('/v1')) {
    const [host, port] = (spec.host ?? '').split(':');
    out.spec = { host: host!, port: Number(port ?? 0) };
  } else if (to.endsWith('/v1') && o.apiVersion.endsWith('/v2')) {
    out.spec = { host: `${spec.host}:${spec.port}` };
  }
  const mode = o.metadata.labels?.mode;
  if (mode === 'rename') out.metadata.name = 'renamed';
  if (mode === 'relabel') {
    out.metadata.labels = { ...o.metadata.labels, converted: 'yes' };
    out.metadata.generation = 99;
  }
  if (mode === 'kind') out.kind = 'Other';
  if (mode === 'badlabel') out.metadata.labels = { ...o.metadata.labels, 'bad key': 'x' };
  return out;
}

function answer(review: Review): unknown {
  const { uid, desiredAPIVersion, objects } = review.request;
  const mode = objects[0]?.metadata.labels?.mode;
  if (mode === 'fail')
    return {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      response: { uid, result: { status: 'Failure', message: 'cannot convert this one' } },
    };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: {
      uid: mode === 'wrong-uid' ? 'nope' : uid,
      result: { status: 'Success' },
      convertedObjects: objects.map((o) => convertOne(o, desiredAPIVersion)),
    },
  };
}

const hostSchema = (v2: boolean) => ({
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: v2
          ? { host: { type: 'string' }, port: { type: 'integer' } }
          : { host: { type: 'string' } },
      },
    },
  },
});

function crd(
  plural: string,
  kind: string,
  caBundle: string,
  url: string,
  storage = 'v1',
  clientConfig: object = { url, caBundle },
): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.conv.example.com` },
    spec: {
      group: 'conv.example.com',
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: storage === 'v1',
          schema: hostSchema(false),
          selectableFields: [{ jsonPath: '.spec.host' }],
        },
        {
          name: 'v2',
          served: true,
          storage: storage === 'v2',
          schema: hostSchema(true),
          selectableFields: [{ jsonPath: '.spec.port' }, { jsonPath: '.spec.host' }],
        },
      ],
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig, conversionReviewVersions: ['v1'] },
      },
    },
  });
}

const widget = (version: string, name: string, spec: object, labels?: Record<string, string>) =>
  JSON.stringify({
    apiVersion: `conv.example.com/${version}`,
    kind: 'Widget',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec,
  });

describe('CRD webhook conversion and selectable fields', () => {
  let s: TestServer;
  let hook: Server;
  let caBundle = '';
  let url = '';
  const reviews: Review[] = [];
  const paths: string[] = [];
  let hookPort = 0;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const getJSON = async (args: string[]) => {
    const r = await k([...args, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Obj & { items: Obj[] };
  };

  before(async () => {
    const ca = await createCA('conversion-test-ca');
    const serving = await issue(ca, {
      commonName: 'converter',
      dnsNames: ['converter.hooks.svc'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    caBundle = Buffer.from(ca.pem.certPem).toString('base64');
    hook = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const review = JSON.parse(body) as Review;
        reviews.push(review);
        paths.push(req.url ?? '');
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer(review)));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookPort = (hook.address() as AddressInfo).port;
    url = `https://127.0.0.1:${hookPort}/convert`;
    s = await startServer(['--disable-controller-manager']);
    for (const [plural, kind] of [
      ['widgets', 'Widget'],
      ['gadgets', 'Gadget'],
    ] as const) {
      const r = await k(['apply', '-f', '-'], crd(plural, kind, caBundle, url));
      assert.equal(r.code, 0, r.stderr);
    }
    const w = await k(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=20s']);
    assert.equal(w.code, 0, w.stderr);
  });
  after(async () => {
    hook.closeAllConnections();
    hook.close();
    await s.stop();
    cleanup(s);
  });

  it('serves an object written in v1 as v2 and the other way round', async () => {
    let r = await k(['apply', '-f', '-'], widget('v1', 'a', { host: 'a.example:80' }));
    assert.equal(r.code, 0, r.stderr);
    r = await k(['apply', '-f', '-'], widget('v2', 'b', { host: 'b.example', port: 443 }));
    assert.equal(r.code, 0, r.stderr);
    const a2 = await getJSON(['get', 'widgets.v2.conv.example.com', 'a']);
    assert.equal(a2.apiVersion, 'conv.example.com/v2');
    assert.deepEqual(a2.spec, { host: 'a.example', port: 80 });
    const b1 = await getJSON(['get', 'widgets.v1.conv.example.com', 'b']);
    assert.equal(b1.apiVersion, 'conv.example.com/v1');
    assert.deepEqual(b1.spec, { host: 'b.example:443' });
    // the review carried the object as stored and asked for the served version
    const seen = reviews.find((rv) => rv.request.objects.some((o) => o.metadata.name === 'a'));
    assert.equal(seen?.request.desiredAPIVersion, 'conv.example.com/v2');
    const list = await getJSON(['get', 'widgets.v2.conv.example.com']);
    assert.deepEqual(
      list.items.map((i) => [i.metadata.name, i.apiVersion, i.spec]),
      [
        ['a', 'conv.example.com/v2', { host: 'a.example', port: 80 }],
        ['b', 'conv.example.com/v2', { host: 'b.example', port: 443 }],
      ],
    );
  });

  it('selects by selectableFields in either version', async () => {
    let r = await k([
      'get',
      'widgets.v2.conv.example.com',
      '--field-selector',
      'spec.port=443',
      '-o',
      'name',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'widget.conv.example.com/b\n');
    r = await k([
      'get',
      'widgets.v1.conv.example.com',
      '--field-selector',
      'spec.host=a.example:80',
      '-o',
      'name',
    ]);
    assert.equal(r.stdout, 'widget.conv.example.com/a\n');
    r = await k(['get', 'widgets.v1.conv.example.com', '--field-selector', 'spec.port=443']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /field label not supported: spec\.port/);
  });

  it('converts watch events, selected by field too', async () => {
    const list = await s.api('GET', '/apis/conv.example.com/v2/namespaces/default/widgets');
    const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const r = await k(['apply', '-f', '-'], widget('v1', 'c', { host: 'c.example:8080' }));
    assert.equal(r.code, 0, r.stderr);
    const w = await s.api(
      'GET',
      `/apis/conv.example.com/v2/namespaces/default/widgets?watch=1&resourceVersion=${rv}&timeoutSeconds=1&fieldSelector=spec.port%3D8080`,
    );
    const events = w.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: Obj });
    assert.deepEqual(
      events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec]),
      [['ADDED', 'conv.example.com/v2', 'c', { host: 'c.example', port: 8080 }]],
    );
  });

  it('moves objects to a new storage version when they are written', async () => {
    let r = await k(['apply', '-f', '-'], crd('widgets', 'Widget', caBundle, url, 'v2'));
    assert.equal(r.code, 0, r.stderr);
    const c = await getJSON(['get', 'crd', 'widgets.conv.example.com']);
    assert.deepEqual((c as unknown as { status: { storedVersions: string[] } }).status.storedVersions, [
      'v1',
      'v2',
    ]);
    // the stored v1 object still reads in both versions
    const a2 = await getJSON(['get', 'widgets.v2.conv.example.com', 'a']);
    assert.deepEqual(a2.spec, { host: 'a.example', port: 80 });
    r = await k(['label', 'widgets.v2.conv.example.com', 'a', 'migrated=yes']);
    assert.equal(r.code, 0, r.stderr);
    // stored in v2 now: reading v2 no longer asks the webhook, reading v1 does
    reviews.length = 0;
    const again = await getJSON(['get', 'widgets.v2.conv.example.com', 'a']);
    assert.equal(again.metadata.labels?.migrated, 'yes');
    assert.ok(
      !reviews.some(
        (rv) =>
          rv.request.desiredAPIVersion === 'conv.example.com/v2' &&
          rv.request.objects.some((o) => o.metadata.name === 'a'),
      ),
    );
    const a1 = await getJSON(['get', 'widgets.v1.conv.example.com', 'a']);
    assert.deepEqual(a1.spec, { host: 'a.example:80' });
    assert.ok(
      reviews.some(
        (rv) =>
          rv.request.desiredAPIVersion === 'conv.example.com/v1' &&
          rv.request.objects.some((o) => o.metadata.name === 'a' && o.apiVersion === 'conv.example.com/v2'),
      ),
    );
  });

  it('keeps the original metadata but for labels and annotations', async () => {
    const r = await k(['apply', '-f', '-'], gadget('relabel'));
    assert.equal(r.code, 0, r.stderr);
    const g = await getJSON(['get', 'gadgets.v2.conv.example.com', 'relabel']);
    assert.equal(g.metadata.labels?.converted, 'yes');
    assert.equal(g.metadata.generation, 1);
  });

  it('fails reads with upstream texts when the webhook misbehaves', async () => {
    const cases: [string, RegExp][] = [
      [
        'wrong-uid',
        /^Error from server \(InternalError\): Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Gadget failed: expected response\.uid="[0-9a-f-]{36}", got "nope"$/m,
      ],
      [
        'fail',
        /Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Gadget failed: cannot convert this one$/m,
      ],
      [
        'rename',
        /Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Gadget returned invalid object: must have the same name: rename != renamed$/m,
      ],
      [
        'badlabel',
        /Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Gadget returned invalid metadata: metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/m,
      ],
      [
        'kind',
        /Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Gadget returned invalid object at index 0: invalid kind \(expected Gadget, received Other\)$/m,
      ],
    ];
    for (const [mode, want] of cases) {
      let r = await k(['apply', '-f', '-'], gadget(mode));
      assert.equal(r.code, 0, r.stderr);
      r = await k(['get', 'gadgets.v2.conv.example.com', mode]);
      assert.equal(r.code, 1, mode);
      assert.match(r.stderr, want);
      // the storage version needs no webhook
      r = await k(['get', 'gadgets.v1.conv.example.com', mode, '-o', 'name']);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('refuses a write through a version the webhook cannot convert, storing nothing', async () => {
    const g = JSON.stringify({
      apiVersion: 'conv.example.com/v2',
      kind: 'Gadget',
      metadata: { name: 'w2', labels: { mode: 'fail' } },
      spec: { host: 'g', port: 2 },
    });
    let r = await k(['create', '-f', '-'], g);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Internal error occurred: conversion webhook for conv\.example\.com\/v2, Kind=Gadget failed: cannot convert this one$/m,
    );
    r = await k(['get', 'gadgets.v1.conv.example.com', 'w2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NotFound/);
  });

  it('validates conversion settings and selectableFields of a CRD', async () => {
    const bad = JSON.parse(crd('things', 'Thing', caBundle, url)) as {
      spec: {
        conversion: { webhook?: unknown };
        versions: { selectableFields: { jsonPath: string }[] }[];
      };
    };
    delete bad.spec.conversion.webhook;
    bad.spec.versions[0]!.selectableFields = [{ jsonPath: '.spec.nope' }];
    const r = await k(['apply', '-f', '-'], JSON.stringify(bad));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The CustomResourceDefinition "things\.conv\.example\.com" is invalid: \n\* spec\.versions\[0\]\.selectableFields\[0\]\.jsonPath: Invalid value: "\.spec\.nope": is an invalid path: does not refer to a valid field\n\* spec\.conversion\.webhookClientConfig: Required value: required when strategy is set to Webhook\n\* spec\.conversion\.conversionReviewVersions: Required value/,
    );
  });

  it('reaches a webhook behind a Service through its endpoints', async () => {
    const cc = { service: { namespace: 'hooks', name: 'converter', path: '/convert' }, caBundle };
    let r = await k(['apply', '-f', '-'], crd('doohickeys', 'Doohickey', caBundle, url, 'v1', cc));
    assert.equal(r.code, 0, r.stderr);
    r = await k(['wait', '--for=condition=Established', 'crd/doohickeys.conv.example.com', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    const stored = (await getJSON(['get', 'crd', 'doohickeys.conv.example.com'])) as unknown as {
      spec: { conversion: { webhook: { clientConfig: { service: { port: number } } } } };
    };
    // v1 defaults the Service port, as for admission webhooks
    assert.equal(stored.spec.conversion.webhook.clientConfig.service.port, 443);
    const d = JSON.stringify({
      apiVersion: 'conv.example.com/v1',
      kind: 'Doohickey',
      metadata: { name: 'd' },
      spec: { host: 'd:7' },
    });
    r = await k(['apply', '-f', '-'], d);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['get', 'doohickeys.v2.conv.example.com', 'd']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Internal error occurred: conversion webhook for conv\.example\.com\/v1, Kind=Doohickey failed: Post "https:\/\/converter\.hooks\.svc:443\/convert": service "converter" not found$/m,
    );
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'converter', namespace: 'hooks' },
      spec: { ports: [{ name: 'https', port: 443, targetPort: hookPort }] },
    };
    const ep = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'converter', namespace: 'hooks' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: hookPort }] }],
    };
    await k(['create', 'namespace', 'hooks']);
    r = await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc, ep] }));
    assert.equal(r.code, 0, r.stderr);
    paths.length = 0;
    const got = await getJSON(['get', 'doohickeys.v2.conv.example.com', 'd']);
    assert.deepEqual(got.spec, { host: 'd', port: 7 });
    // conversion requests carry no ?timeout= (admission requests do)
    assert.ok(paths.length > 0 && paths.every((p) => p === '/convert'), paths.join(','));
    // the v2 list (its cache could not load without the Service) recovers
    const deadline = Date.now() + 15_000;
    for (;;) {
      r = await k(['get', 'doohickeys.v2.conv.example.com', '-o', 'name']);
      if (r.code === 0 || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'doohickey.conv.example.com/d\n');
  });

  const gadget = (mode: string) =>
    JSON.stringify({
      apiVersion: 'conv.example.com/v1',
      kind: 'Gadget',
      metadata: { name: mode, labels: { mode } },
      spec: { host: 'g:1' },
    });
});
