// The conversion webhook client against a local TLS server: one ConversionReview per call for
// the objects not yet in the desired version, and upstream's checks and texts for every kind
// of bad answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issue } from '../../../src/pki/certs.js';
import { WebhookConverter } from '../../../src/apiserver/crd/conversion.js';
import type { KubeObject } from '../../../src/api/types.js';

interface Request {
  apiVersion: string;
  request: { uid: string; desiredAPIVersion: string; objects: KubeObject[] };
}

describe('conversion webhook client', () => {
  let server: Server;
  let url = '';
  let caBundle = '';
  let reply: (req: Request) => unknown = () => ({});
  const seen: Request[] = [];

  before(async () => {
    const ca = await createCA('conv-unit-ca');
    const cert = await issue(ca, {
      commonName: 'x',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    caBundle = Buffer.from(ca.pem.certPem).toString('base64');
    server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const r = JSON.parse(body) as Request;
        seen.push(r);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(reply(r)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/c`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const converter = (versions = ['v1']) =>
    new WebhookConverter(
      {
        strategy: 'Webhook',
        webhook: { clientConfig: { url, caBundle }, conversionReviewVersions: versions },
      },
      async () => undefined,
    );
  const obj = (name: string, v = 'v1', extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
    apiVersion: `ex.com/${v}`,
    kind: 'Thing',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, ...extra },
  });
  const ok = (
    r: Request,
    objects: unknown[] = r.request.objects.map((o) => ({ ...o, apiVersion: r.request.desiredAPIVersion })),
  ) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    response: { uid: r.request.uid, result: { status: 'Success' }, convertedObjects: objects },
  });
  const fails = async (p: Promise<unknown>, msg: string) =>
    assert.equal(
      await p.then(
        () => 'no error',
        (e: Error) => e.message,
      ),
      msg,
    );
  const G = 'conversion webhook for ex.com/v1, Kind=Thing';

  it('sends only what needs converting, in one review, and keeps the order', async () => {
    seen.length = 0;
    reply = (r) => ok(r);
    const out = await converter().convert([obj('a'), obj('b', 'v2'), obj('c')], 'ex.com/v2', false);
    assert.deepEqual(
      out.map((o) => [o.metadata.name, o.apiVersion]),
      [
        ['a', 'ex.com/v2'],
        ['b', 'ex.com/v2'],
        ['c', 'ex.com/v2'],
      ],
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.apiVersion, 'apiextensions.k8s.io/v1');
    assert.deepEqual(
      seen[0]!.request.objects.map((o) => o.metadata.name),
      ['a', 'c'],
    );
    seen.length = 0;
    await converter().convert([obj('b', 'v2')], 'ex.com/v2', true);
    assert.equal(seen.length, 0);
  });

  it('checks the review it gets back', async () => {
    reply = () => ({ apiVersion: 'v1', kind: 'Status' });
    await fails(
      converter().convert([obj('a')], 'ex.com/v2', true),
      `${G} failed: expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got v1, Kind=Status`,
    );
    reply = () => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' });
    await fails(converter().convert([obj('a')], 'ex.com/v2', true), `${G} failed: no response provided`);
    reply = (r) => ({ ...ok(r), response: { uid: r.request.uid, result: { status: 'Failure' } } });
    await fails(
      converter().convert([obj('a')], 'ex.com/v2', true),
      `${G} failed: response.result.status was 'Failure', not 'Success'`,
    );
    reply = (r) => ok(r, []);
    await fails(converter().convert([obj('a')], 'ex.com/v2', true), `${G} returned 0 objects, expected 1`);
    // v1beta1 answers are not checked for uid, as upstream
    reply = () => ({
      apiVersion: 'apiextensions.k8s.io/v1beta1',
      kind: 'ConversionReview',
      response: {
        uid: 'other',
        result: { status: 'Success' },
        convertedObjects: [{ ...obj('a'), apiVersion: 'ex.com/v2' }],
      },
    });
    const [a] = await converter(['v1beta1']).convert([obj('a')], 'ex.com/v2', true);
    assert.equal(a!.apiVersion, 'ex.com/v2');
    assert.equal(seen.at(-1)!.apiVersion, 'apiextensions.k8s.io/v1beta1');
    await fails(
      converter(['v9']).convert([obj('a')], 'ex.com/v2', true),
      'no supported conversion review versions',
    );
  });

  it('checks each converted object and restores its metadata but labels and annotations', async () => {
    reply = (r) => ok(r, [{ ...obj('a'), apiVersion: 'ex.com/v3' }]);
    await fails(
      converter().convert([obj('a')], 'ex.com/v2', true),
      `${G} returned invalid object at index 0: invalid groupVersion (expected ex.com/v2, received ex.com/v3)`,
    );
    reply = (r) => ok(r, [{ ...obj('a', 'v2', { namespace: 'elsewhere' }) }]);
    await fails(
      converter().convert([obj('a')], 'ex.com/v2', true),
      `${G} returned invalid object: must have the same namespace: ns != elsewhere`,
    );
    reply = (r) => ok(r, [obj('a', 'v2'), obj('b', 'v2', { uid: 'changed' })]);
    await fails(
      converter().convert([obj('a'), obj('b')], 'ex.com/v2', false),
      `conversion webhook for ex.com/v1, Kind=ThingList returned invalid converted object at index 1: must have the same UID: uid-b != changed`,
    );
    reply = (r) => ok(r, [{ ...obj('a', 'v2'), metadata: { ...obj('a').metadata, labels: { n: 1 } } }]);
    await fails(
      converter().convert([obj('a')], 'ex.com/v2', true),
      `${G} returned invalid metadata: metadata.labels[n] must be a string, but is float64 in converted object`,
    );
    reply = (r) =>
      ok(r, [
        {
          ...obj('a', 'v2'),
          metadata: { ...obj('a').metadata, generation: 7, labels: { x: 'y' }, finalizers: ['f'] },
        },
      ]);
    const [a] = await converter().convert(
      [obj('a', 'v1', { annotations: { keep: 'me' } })],
      'ex.com/v2',
      true,
    );
    assert.deepEqual(a!.metadata, {
      name: 'a',
      namespace: 'ns',
      uid: 'uid-a',
      generation: 1,
      labels: { x: 'y' },
    });
  });

  it('words transport failures as upstream', async () => {
    const unreachable = new WebhookConverter(
      {
        strategy: 'Webhook',
        webhook: {
          clientConfig: { url: 'https://127.0.0.1:1/x', caBundle },
          conversionReviewVersions: ['v1'],
        },
      },
      async () => undefined,
    );
    await fails(
      unreachable.convert([obj('a')], 'ex.com/v2', true),
      `${G} failed: Post "https://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused`,
    );
    const byService = new WebhookConverter(
      {
        strategy: 'Webhook',
        webhook: {
          clientConfig: { service: { namespace: 'ns', name: 'conv', port: 8443 } },
          conversionReviewVersions: ['v1'],
        },
      },
      async () => undefined,
    );
    await fails(
      byService.convert([obj('a')], 'ex.com/v2', true),
      `${G} failed: Post "https://conv.ns.svc:8443/": service "conv" not found`,
    );
  });
});
