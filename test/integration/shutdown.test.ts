// Graceful termination of `k8ts server` as upstream's genericapiserver (v1.31): under a load of
// concurrent creates a SIGTERM never answers 500 (each create is 201, or the connection is
// refused / the stream refused after GOAWAY), the server exits 0, and no request ran against
// a closed datastore; with --shutdown-delay-duration /readyz fails its `shutdown` check while
// requests still succeed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import { cleanup, startServer, type TestServer } from './harness.js';

interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

function credentials(kubeconfig: string): Credentials {
  const cfg = readFileSync(kubeconfig, 'utf8');
  const field = (name: string) =>
    Buffer.from(new RegExp(`${name}: (\\S+)`).exec(cfg)![1]!, 'base64').toString();
  return {
    ca: field('certificate-authority-data'),
    cert: field('client-certificate-data'),
    key: field('client-key-data'),
  };
}

type Outcome = { status: number; body: string } | { error: string };

/** One request on an HTTP/2 session, as client-go sends them. */
function request(session: ClientHttp2Session, method: string, path: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let stream;
    try {
      stream = session.request({ ':method': method, ':path': path, 'content-type': 'application/json' });
    } catch (err) {
      return resolve({ error: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
    let status = 0;
    let data = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => (data += d.toString()));
    stream.on('end', () => resolve(status ? { status, body: data } : { error: 'no response' }));
    stream.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? String(err) }));
    stream.end(body);
  });
}

function open(port: number, creds: Credentials): ClientHttp2Session {
  const s = connect(`https://127.0.0.1:${port}`, creds);
  s.on('error', () => undefined); // reported through the streams
  return s;
}

async function loadAndTerminate(args: string[], label: string): Promise<void> {
  const s: TestServer = await startServer(args);
  try {
    const creds = credentials(s.kubeconfig);
    let session = open(s.port, creds);
    const outcomes: { after: boolean; o: Outcome }[] = [];
    let signalled = false;
    let created = 0;
    let n = 0;
    let firstCreates!: () => void;
    const enough = new Promise<void>((r) => (firstCreates = r));
    const worker = async () => {
      for (;;) {
        const after = signalled;
        if (session.closed || session.destroyed) session = open(s.port, creds);
        const name = `load-${n++}`;
        const o = await request(
          session,
          'POST',
          '/api/v1/namespaces/default/configmaps',
          JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } }),
        );
        outcomes.push({ after, o });
        if ('status' in o && o.status === 201 && ++created === 200) firstCreates();
        // a refused connection means the listener is gone: this client goes elsewhere
        if (signalled && 'error' in o) return;
        if (signalled && 'status' in o && o.status !== 201) return;
      }
    };
    const workers = Array.from({ length: 50 }, () => worker());
    await enough;
    // the ReplicaSet controller is creating pods and recording their events at the signal
    const deploy = await s.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=100']);
    assert.equal(deploy.code, 0, deploy.stderr);
    const t0 = Date.now();
    signalled = true;
    const code = await s.stop('SIGTERM');
    const exitMs = Date.now() - t0;
    await Promise.all(workers);
    session.destroy();
    const statuses = outcomes.filter((x) => 'status' in x.o).map((x) => (x.o as { status: number }).status);
    const bad = outcomes.filter((x) => 'status' in x.o && x.o.status !== 201 && x.o.status !== 429);
    const refusedAfter = outcomes.filter((x) => 'error' in x.o);
    process.stdout.write(
      `# SIGTERM→exit under load${label}: ${exitMs} ms; ${statuses.filter((c) => c === 201).length} created, ` +
        `${refusedAfter.length} connection errors (${[...new Set(refusedAfter.map((x) => (x.o as { error: string }).error))].join(', ')})\n`,
    );
    assert.deepEqual(
      bad.map((x) => x.o),
      [],
      'every answer is 201 (or 429 with --shutdown-send-retry-after)',
    );
    for (const x of outcomes)
      if ('status' in x.o && x.o.status === 429)
        assert.equal(x.o.body, 'The apiserver is shutting down, please try again later.\n');
    assert.ok(
      outcomes.filter((x) => !x.after).every((x) => 'status' in x.o && x.o.status === 201),
      'before the signal every create is 201',
    );
    assert.equal(code, 0, s.log());
    assert.doesNotMatch(s.log(), /database connection is not open/);
    assert.doesNotMatch(s.log(), /request failed/);
    assert.doesNotMatch(s.log(), /"level":"error"/);
    // (whether the children stop within their 5 s and flush their events depends on the
    // machine's load, so their warnings are not asserted here)
    assert.match(s.log(), /\[graceful-termination\] apiserver is exiting/);
  } finally {
    await s.stop();
    cleanup(s);
  }
}

describe('graceful termination', () => {
  it('a SIGTERM under 50 concurrent creates answers no request 500 and exits 0', () =>
    loadAndTerminate([], ''));

  it('with --shutdown-send-retry-after the answers under load are 201 or 429', () =>
    loadAndTerminate(
      ['--shutdown-send-retry-after', '--disable-scheduler'],
      ' (--shutdown-send-retry-after)',
    ));

  it('an in-flight create finishes while new requests get 429 with --shutdown-send-retry-after', async () => {
    const s = await startServer([
      '--shutdown-send-retry-after',
      '--disable-controller-manager',
      '--disable-scheduler',
    ]);
    try {
      const creds = credentials(s.kubeconfig);
      const session = open(s.port, creds);
      // a create whose body is still being uploaded is in flight until the body ends
      const slow = session.request({
        ':method': 'POST',
        ':path': '/api/v1/namespaces/default/configmaps',
        'content-type': 'application/json',
      });
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-flight' } });
      const slowAnswer = new Promise<number>((resolve) => {
        slow.on('response', (h) => resolve(Number(h[':status'])));
        slow.on('error', () => resolve(0));
      });
      slow.write(body.slice(0, 10));
      await request(session, 'GET', '/readyz'); // the slow create has reached the handler
      const exited = s.stop('SIGTERM');
      let r: Outcome;
      do r = await request(open(s.port, creds), 'GET', '/version');
      while ('status' in r && r.status === 200);
      assert.deepEqual(r, { status: 429, body: 'The apiserver is shutting down, please try again later.\n' });
      const probe = await request(open(s.port, creds), 'GET', '/livez');
      assert.deepEqual(probe, { status: 200, body: 'ok' }, 'health probes are never refused');
      slow.end(body.slice(10));
      assert.equal(await slowAnswer, 201);
      assert.equal(await exited, 0, s.log());
      session.destroy();
      assert.doesNotMatch(s.log(), /"level":"error"/);
    } finally {
      await s.stop();
      cleanup(s);
    }
  });

  it('an in-flight create finishes after the listener closed and the session got GOAWAY', async () => {
    const s = await startServer(['--disable-controller-manager', '--disable-scheduler']);
    try {
      const creds = credentials(s.kubeconfig);
      const session = open(s.port, creds);
      let goaway = false;
      session.on('goaway', () => (goaway = true));
      const slow = session.request({
        ':method': 'POST',
        ':path': '/api/v1/namespaces/default/configmaps',
        'content-type': 'application/json',
      });
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-flight' } });
      const slowAnswer = new Promise<number>((resolve) => {
        slow.on('response', (h) => resolve(Number(h[':status'])));
        slow.on('error', () => resolve(0));
      });
      slow.write(body.slice(0, 10));
      await request(session, 'GET', '/readyz');
      const exited = s.stop('SIGTERM');
      // new connections are refused once the listener is closed
      let refused = '';
      while (!refused) {
        const fresh = open(s.port, creds);
        fresh.on('error', (err: NodeJS.ErrnoException) => (refused = err.code ?? String(err)));
        const r = await request(fresh, 'GET', '/version');
        if ('error' in r) refused ||= r.error;
        fresh.destroy();
      }
      assert.equal(refused, 'ECONNREFUSED');
      assert.equal(goaway, true, 'the open session got GOAWAY');
      slow.end(body.slice(10));
      assert.equal(await slowAnswer, 201);
      assert.equal(await exited, 0, s.log());
      session.destroy();
      assert.doesNotMatch(s.log(), /"level":"error"/);
    } finally {
      await s.stop();
      cleanup(s);
    }
  });

  it('with --shutdown-delay-duration /readyz fails "shutdown" while requests still succeed', async () => {
    const s = await startServer([
      '--shutdown-delay-duration',
      '8s',
      '--disable-controller-manager',
      '--disable-scheduler',
    ]);
    try {
      const creds = credentials(s.kubeconfig);
      const session = open(s.port, creds);
      const ready = await request(session, 'GET', '/readyz');
      assert.deepEqual(ready, { status: 200, body: 'ok' });
      const t0 = Date.now();
      const exited = s.stop('SIGTERM');
      // the signal arrives asynchronously: wait for readiness to turn, then look at everything
      let r: Outcome;
      do r = await request(session, 'GET', '/readyz?verbose');
      while ('status' in r && r.status === 200);
      assert.ok('status' in r, JSON.stringify(r));
      assert.equal(r.status, 500);
      assert.match(r.body, /\[-\]shutdown failed: reason withheld\n/);
      assert.match(r.body, /readyz check failed\n$/);
      assert.deepEqual(await request(session, 'GET', '/readyz/shutdown'), {
        status: 500,
        body: 'internal server error: process is shutting down\n',
      });
      assert.deepEqual(await request(session, 'GET', '/livez'), { status: 200, body: 'ok' });
      const created = await request(
        session,
        'POST',
        '/api/v1/namespaces/default/configmaps',
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during-delay' } }),
      );
      assert.equal('status' in created && created.status, 201, JSON.stringify(created));
      const got = await request(session, 'GET', '/api/v1/namespaces/default/configmaps/during-delay');
      assert.equal('status' in got && got.status, 200);
      assert.equal(await exited, 0, s.log());
      process.stdout.write(`# SIGTERM→exit with an 8s delay, idle: ${Date.now() - t0} ms\n`);
      session.destroy();
      assert.doesNotMatch(s.log(), /database connection is not open/);
    } finally {
      await s.stop();
      cleanup(s);
    }
  });

  it('an idle server exits 0 soon after SIGTERM, ending open watches', async () => {
    const s = await startServer(['--disable-controller-manager', '--disable-scheduler']);
    try {
      const creds = credentials(s.kubeconfig);
      const session = open(s.port, creds);
      // a watch stream stays open until the server ends it; its headers come once it is registered
      const stream = session.request({ ':path': '/api/v1/namespaces/default/configmaps?watch=true' });
      const watch = new Promise<Outcome>((resolve) => {
        let status = 0;
        stream.on('response', (h) => (status = Number(h[':status'])));
        stream.on('data', () => undefined);
        stream.on('end', () => resolve({ status, body: '' }));
        stream.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? String(err) }));
      });
      await new Promise((resolve) => stream.once('response', resolve));
      const t0 = Date.now();
      assert.equal(await s.stop('SIGTERM'), 0, s.log());
      const exitMs = Date.now() - t0;
      const w = await watch;
      assert.ok('status' in w && w.status === 200, `the watch ended cleanly: ${JSON.stringify(w)}`);
      process.stdout.write(`# SIGTERM→exit idle (one open watch): ${exitMs} ms\n`);
      session.destroy();
      assert.match(s.log(), /"watchesEnded":1/);
    } finally {
      await s.stop();
      cleanup(s);
    }
  });
});
