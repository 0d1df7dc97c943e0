// Audit logging through a real server and the real kubectl: the seed's policy (004 §2.2.5),
// events in upstream's shape, Audit-Id headers, the webhook backend, and a full disk that
// costs events (counted in /metrics), never requests.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

const SEED_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: RequestResponse
  resources: [{group: "", resources: ["pods"]}]
- level: Metadata
  resources: [{group: "", resources: ["pods/log", "pods/status"]}]
- level: None
  resources: [{group: "", resources: ["configmaps"], resourceNames: ["controller-leader"]}]
- level: None
  userGroups: ["system:authenticated"]
  nonResourceURLs: ["/api*", "/version"]
- level: Request
  resources: [{group: "", resources: ["configmaps"]}]
  namespaces: ["kube-system"]
- level: Metadata
  resources: [{group: "", resources: ["secrets", "configmaps"]}]
- level: Metadata
`;

interface Ev {
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username?: string; groups?: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus?: { code?: number; message?: string; reason?: string };
  requestObject?: { metadata?: { name?: string } };
  responseObject?: { metadata?: { name?: string; uid?: string } };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

function readEvents(path: string): Ev[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Ev);
}

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit logging with the seed policy', () => {
  let s: TestServer;
  let dir: string;
  let logPath: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-'));
    writeFileSync(join(dir, 'policy.yaml'), SEED_POLICY);
    logPath = join(dir, 'log', 'audit.log');
    s = await startServer(['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', logPath]);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a pod create at RequestResponse with both bodies, and the Audit-Id header matches', async () => {
    const r = await s.api(
      'POST',
      '/api/v1/namespaces/default/pods',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      }),
      { 'User-Agent': 'audit-test/1.0' },
    );
    assert.equal(r.status, 201, r.body);
    const id = String(r.headers['audit-id']);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ev = await waitFor('the create event', () => readEvents(logPath).find((e) => e.auditID === id));
    assert.equal(ev.level, 'RequestResponse');
    assert.equal(ev.stage, 'ResponseComplete');
    assert.equal(ev.verb, 'create');
    assert.equal(ev.requestURI, '/api/v1/namespaces/default/pods');
    assert.equal(ev.user.username, 'system:admin');
    assert.ok(ev.user.groups?.includes('system:masters'));
    assert.deepEqual(ev.sourceIPs, ['127.0.0.1']);
    assert.equal(ev.userAgent, 'audit-test/1.0');
    assert.deepEqual(ev.objectRef, { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1' });
    assert.deepEqual(ev.responseStatus, { metadata: {}, code: 201 });
    assert.equal(ev.requestObject?.metadata?.name, 'web');
    assert.equal(ev.responseObject?.metadata?.name, 'web');
    assert.ok(ev.responseObject?.metadata?.uid, 'the response is the stored object');
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.match(ev.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(ev.stageTimestamp >= ev.requestReceivedTimestamp);
    // omitStages: RequestReceived is never written
    assert.ok(!readEvents(logPath).some((e) => e.stage === 'RequestReceived'));
  });

  it('applies the first matching rule to what kubectl does', async () => {
    await s.kubectl(['create', 'configmap', 'app-cfg', '--from-literal=a=b']);
    await s.kubectl(['create', 'configmap', 'sys-cfg', '-n', 'kube-system', '--from-literal=a=b']);
    // a create names no object in its URL, so a resourceNames rule cannot match it (as upstream)
    await s.kubectl(['create', 'configmap', 'controller-leader', '--from-literal=a=b']);
    await s.kubectl(['label', 'configmap', 'controller-leader', 'renewed=yes']);
    await s.kubectl(['get', '--raw', '/version']);
    const find = (pred: (e: Ev) => boolean) => () => readEvents(logPath).find(pred);
    const app = await waitFor(
      'app-cfg',
      find((e) => e.objectRef?.name === 'app-cfg'),
    );
    assert.equal(app.level, 'Metadata');
    assert.equal(app.requestObject, undefined, 'Metadata carries no bodies');
    const sys = await waitFor(
      'sys-cfg',
      find((e) => e.objectRef?.name === 'sys-cfg'),
    );
    assert.equal(sys.level, 'Request');
    assert.equal(sys.requestObject?.metadata?.name, 'sys-cfg');
    assert.equal((sys as { responseObject?: unknown }).responseObject, undefined);
    const events = readEvents(logPath);
    const leader = events.filter((e) => e.objectRef?.name === 'controller-leader').map((e) => e.verb);
    assert.deepEqual(leader, ['create'], 'the patch of controller-leader is at level None');
    assert.ok(!events.some((e) => e.requestURI === '/version'), 'authenticated /version is None');
  });

  it('records a watch at ResponseStarted and ResponseComplete', async () => {
    await s.kubectl(['get', 'pods', '--watch-only', '--request-timeout=1s']);
    const done = await waitFor('watch complete', () =>
      readEvents(logPath).find((e) => e.verb === 'watch' && e.stage === 'ResponseComplete'),
    );
    const started = readEvents(logPath).find(
      (e) => e.auditID === done.auditID && e.stage === 'ResponseStarted',
    );
    assert.ok(started, 'ResponseStarted for the same request');
    assert.equal(started.responseStatus?.code, 200);
  });

  it('records errors with their Status and a failed authentication with what it tried', async () => {
    const missing = await s.api('GET', '/api/v1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    const ev = await waitFor('404', () =>
      readEvents(logPath).find((e) => e.auditID === missing.headers['audit-id']),
    );
    assert.deepEqual(ev.responseStatus, {
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });

    const anon = await new Promise<{ status: number; id: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.port,
          path: '/api/v1/namespaces/default/secrets',
          rejectUnauthorized: false,
          headers: { Authorization: 'Bearer not-a-token' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, id: String(res.headers['audit-id']) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(anon.status, 401);
    const failed = await waitFor('401', () => readEvents(logPath).find((e) => e.auditID === anon.id));
    assert.equal(failed.stage, 'ResponseStarted');
    assert.deepEqual(failed.user, {});
    assert.deepEqual(failed.responseStatus, {
      metadata: {},
      message: 'Authentication failed, attempted: bearer',
      code: 401,
    });
  });

  it('counts events in /metrics', async () => {
    const m = await s.api('GET', '/metrics');
    const n = Number(/^apiserver_audit_event_total (\d+)$/m.exec(m.body)?.[1]);
    assert.ok(n >= 4, m.body.slice(0, 200));
  });
});

describe('audit backends', () => {
  it('a full disk loses audit events, counted per plugin, and requests still succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
    );
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      '/dev/full',
    ]);
    try {
      for (let i = 0; i < 5; i++) {
        const r = await s.kubectl(['create', 'configmap', `cm-${i}`]);
        assert.equal(r.code, 0, r.stderr);
      }
      const deadline = Date.now() + 15_000;
      let lost = 0;
      while (Date.now() < deadline) {
        const m = await s.api('GET', '/metrics');
        lost = Number(/^apiserver_audit_error_total\{plugin="log"\} (\d+)$/m.exec(m.body)?.[1] ?? 0);
        if (lost >= 5) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(lost >= 5, `lost ${lost}`);
      assert.match(s.log(), /Error in audit plugin 'log' affecting \d+ audit events/);
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the webhook backend POSTs EventList batches to the kubeconfig server', async () => {
    const received: { kind: string; apiVersion: string; items: Ev[] }[] = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const port = (sink.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: ""}]\n',
    );
    writeFileSync(
      join(dir, 'webhook.kubeconfig'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: sink\n  cluster:\n    server: http://127.0.0.1:${port}/audit\ncontexts:\n- name: default\n  context: {cluster: sink, user: sink}\ncurrent-context: default\nusers:\n- name: sink\n  user: {}\n`,
    );
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-webhook-config-file',
      join(dir, 'webhook.kubeconfig'),
      '--audit-webhook-batch-max-wait',
      '200ms',
    ]);
    try {
      await s.kubectl(['create', 'secret', 'generic', 'hooked', '--from-literal=a=b']);
      const ev = await waitFor('the webhook batch', () =>
        received
          .flatMap((b) => b.items)
          .find((e) => e.objectRef?.name === 'hooked' && e.stage === 'ResponseComplete'),
      );
      assert.equal(received[0].kind, 'EventList');
      assert.equal(received[0].apiVersion, 'audit.k8s.io/v1');
      assert.equal(ev.verb, 'create');
      assert.equal(ev.level, 'Metadata');
      assert.ok(received.flatMap((b) => b.items).some((e) => e.stage === 'RequestReceived'));
    } finally {
      await s.stop();
      cleanup(s);
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a policy with zero rules at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-'));
    writeFileSync(join(dir, 'policy.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n');
    try {
      await assert.rejects(
        startServer(['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', '-']),
        /loaded illegal policy with 0 rules from file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
