// Bad input gets upstream's status code and a Status body, and changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

describe('bad input', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.kubectl(['create', 'namespace', 'bad']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    s.api('POST', '/api/v1/namespaces/bad/configmaps', body, headers);
  const status = (body: string) => JSON.parse(body) as Status;
  // the objects tests made: the root CA publisher's kube-root-ca.crt arrives on its own time
  const count = async () =>
    (
      JSON.parse((await s.api('GET', '/api/v1/namespaces/bad/configmaps')).body) as {
        items: { metadata: { name: string } }[];
      }
    ).items.filter((c) => c.metadata.name !== 'kube-root-ca.crt').length;

  it('malformed JSON is 400 BadRequest', async () => {
    const r = await post('{"metadata": {');
    assert.equal(r.status, 400);
    assert.equal(status(r.body).reason, 'BadRequest');
  });

  it('a body over 3 MiB is 413', async () => {
    const r = await post(
      JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } }),
    );
    assert.equal(r.status, 413);
    assert.equal(status(r.body).message, 'Request entity too large: limit is 3145728');
  });

  it('an apiVersion that does not match the URL is 400', async () => {
    const r = await post(
      JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    );
    assert.equal(r.status, 400);
    assert.equal(
      status(r.body).message,
      'the API version in the data (apps/v1) does not match the expected API version (v1)',
    );
  });

  it('a namespace that does not match the URL is 400', async () => {
    const r = await post(JSON.stringify({ metadata: { name: 'x', namespace: 'other' } }));
    assert.equal(r.status, 400);
    assert.equal(
      status(r.body).message,
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  });

  it('unknown fields with fieldValidation=Strict are 400 and with Warn give a warning', async () => {
    let r = await s.api(
      'POST',
      '/api/v1/namespaces/bad/configmaps?fieldValidation=Strict',
      JSON.stringify({ metadata: { name: 'x' }, dataz: {} }),
    );
    assert.equal(r.status, 400);
    assert.equal(
      status(r.body).message,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataz"',
    );
    r = await s.api(
      'POST',
      '/api/v1/namespaces/bad/configmaps?fieldValidation=Warn',
      JSON.stringify({ metadata: { name: 'warned' }, dataz: {} }),
    );
    assert.equal(r.status, 201);
    assert.equal(r.headers['warning'], '299 - "unknown field \\"dataz\\""');
    assert.equal((JSON.parse(r.body) as Record<string, unknown>).dataz, undefined);
  });

  it('a wrong content type is 415', async () => {
    const r = await post('x', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.equal(status(r.body).reason, 'UnsupportedMediaType');
  });

  it('a resourceVersion that is not a number is 400', async () => {
    const r = await s.api('GET', '/api/v1/namespaces/bad/configmaps?watch=true&resourceVersion=abc');
    assert.equal(r.status, 400);
  });

  it('a stale resourceVersion on update is 409 Conflict with upstream text', async () => {
    await post(JSON.stringify({ metadata: { name: 'c' } }));
    const r = await s.api(
      'PUT',
      '/api/v1/namespaces/bad/configmaps/c',
      JSON.stringify({ metadata: { name: 'c', resourceVersion: '1' }, data: { a: 'b' } }),
    );
    assert.equal(r.status, 409);
    assert.equal(
      status(r.body).message,
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('unauthenticated requests get 401 except health and version', async () => {
    const { request } = await import('node:https');
    const get = (path: string) =>
      new Promise<number>((resolve) => {
        request({ host: '127.0.0.1', port: s.port, path, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).end();
      });
    assert.equal(await get('/api/v1/namespaces'), 401);
    assert.equal(await get('/healthz'), 200);
    assert.equal(await get('/version'), 200);
  });

  it('nothing was stored by the failed requests', async () => {
    assert.equal(await count(), 2); // "warned" and "c"
  });
});
