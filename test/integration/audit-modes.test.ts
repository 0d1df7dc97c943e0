// Audit backend modes through a real server and the real kubectl: batch mode never makes a
// request wait for a webhook that does not answer; blocking-strict fails a request whose
// RequestReceived event cannot be written (and writes nothing); the legacy line format; and
// truncation of large bodies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, startServer } from './harness.js';

const CONFIGMAPS_POLICY = (level: string) => `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: ${level}
  resources: [{group: "", resources: ["configmaps"]}]
- level: None
`;

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit modes', () => {
  it('batch mode: requests complete while the webhook has not answered a single POST', async () => {
    const held: ServerResponse[] = [];
    let posted = 0;
    const sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        posted++;
        held.push(res); // answered only at the end of the test
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const port = (sink.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    writeFileSync(join(dir, 'policy.yaml'), CONFIGMAPS_POLICY('Metadata'));
    writeFileSync(
      join(dir, 'webhook.kubeconfig'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: sink\n  cluster:\n    server: http://127.0.0.1:${port}/audit\ncontexts:\n- name: default\n  context: {cluster: sink, user: sink}\ncurrent-context: default\nusers:\n- name: sink\n  user: {}\n`,
    );
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-webhook-config-file',
      join(dir, 'webhook.kubeconfig'),
      '--audit-webhook-mode',
      'batch',
      '--audit-webhook-batch-max-size',
      '2',
      '--audit-webhook-batch-max-wait',
      '50ms',
    ]);
    try {
      for (let i = 0; i < 10; i++) {
        const r = await s.kubectl(['create', 'configmap', `slow-${i}`, '--from-literal=a=b']);
        assert.equal(r.code, 0, r.stderr);
      }
      // every request has its answer, the webhook has batches in hand and has answered none
      await until('the webhook to be sent batches', () => (posted >= 2 ? true : undefined));
      assert.equal(held.length, posted);
      assert.ok(held.every((r) => !r.writableEnded));
      const r = await s.kubectl(['get', 'configmaps', '-o', 'name']);
      assert.match(r.stdout, /configmap\/slow-9/);
    } finally {
      for (const res of held) res.writeHead(200).end();
      await s.stop();
      cleanup(s);
      sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('blocking-strict: a RequestReceived event that cannot be written fails the request with a 500', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    // only configmaps of one namespace are audited: the cluster's own configmaps stay writable
    writeFileSync(
      join(dir, 'policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  namespaces: [strict]\n  resources: [{group: "", resources: ["configmaps"]}]\n',
    );
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      '/dev/full',
      '--audit-log-mode',
      'blocking-strict',
    ]);
    try {
      assert.equal((await s.kubectl(['create', 'namespace', 'strict'])).code, 0);
      const create = await s.kubectl(['-n', 'strict', 'create', 'configmap', 'cm', '--from-literal=a=b']);
      assert.equal(create.code, 1);
      assert.match(create.stderr, /failed to store audit event/);
      const raw = await s.api('GET', '/api/v1/namespaces/strict/configmaps/cm');
      assert.equal(raw.status, 500);
      assert.equal(
        raw.body,
        'Internal Server Error: "/api/v1/namespaces/strict/configmaps/cm": failed to store audit event\n',
      );
      // nothing was written; requests the policy does not audit are served
      const other = await s.kubectl(['get', 'configmaps', '-A', '-o', 'name']);
      assert.equal(other.code, 0, other.stderr);
      assert.doesNotMatch(other.stdout, /configmap\/cm$/m);
      const m = await s.api('GET', '/metrics');
      assert.match(m.body, /^apiserver_audit_requests_rejected_total [1-9]\d*$/m);
      assert.match(m.body, /^apiserver_audit_error_total\{plugin="log"\} [1-9]\d*$/m);
      assert.match(m.body, /^apiserver_audit_level_total\{level="Metadata"\} [1-9]\d*$/m);
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('blocking (the log default) and a full disk: requests succeed, events are counted as lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    writeFileSync(join(dir, 'policy.yaml'), CONFIGMAPS_POLICY('Metadata'));
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      '/dev/full',
    ]);
    try {
      const r = await s.kubectl(['create', 'configmap', 'lenient', '--from-literal=a=b']);
      assert.equal(r.code, 0, r.stderr);
      const m = await s.api('GET', '/metrics');
      assert.match(m.body, /^apiserver_audit_requests_rejected_total 0$/m);
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--audit-log-format=legacy writes one text line per event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    writeFileSync(join(dir, 'policy.yaml'), CONFIGMAPS_POLICY('Metadata'));
    const log = join(dir, 'audit.log');
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      log,
      '--audit-log-format',
      'legacy',
    ]);
    try {
      const r = await s.kubectl(['create', 'configmap', 'legacy', '--from-literal=a=b']);
      assert.equal(r.code, 0, r.stderr);
      const done = await until('the ResponseComplete line', () =>
        lines(log).find(
          (l) =>
            l.includes('stage="ResponseComplete"') &&
            l.includes('uri="/api/v1/namespaces/default/configmaps?'),
        ),
      );
      assert.match(
        done,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z AUDIT: id="[0-9a-f-]{36}" stage="ResponseComplete" ip="127\.0\.0\.1" method="create" user="[^"]+" groups="\\"[^"]+\\"(,\\"[^"]+\\")*" as="<self>" asgroups="<lookup>" user-agent="kubectl\/v1\.31[^"]*" namespace="default" uri="\/api\/v1\/namespaces\/default\/configmaps\?[^"]*" response="201"$/,
      );
      assert.ok(
        lines(log).some((l) => l.includes('stage="RequestReceived"') && l.endsWith('response="<deferred>"')),
      );
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('truncation drops the bodies of an event above --audit-log-truncate-max-event-size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    writeFileSync(join(dir, 'policy.yaml'), CONFIGMAPS_POLICY('RequestResponse'));
    const log = join(dir, 'audit.log');
    const s = await startServer([
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      log,
      '--audit-log-truncate-enabled',
      '--audit-log-truncate-max-event-size',
      '4096',
    ]);
    try {
      let r = await s.kubectl(['create', 'configmap', 'small', '--from-literal=a=b']);
      assert.equal(r.code, 0, r.stderr);
      r = await s.kubectl(['create', 'configmap', 'big', `--from-literal=a=${'x'.repeat(8000)}`]);
      assert.equal(r.code, 0, r.stderr);
      const events = await until('both ResponseComplete events', () => {
        const evs = lines(log)
          .map(
            (l) =>
              JSON.parse(l) as {
                stage: string;
                verb: string;
                objectRef?: { name?: string };
                requestObject?: unknown;
                responseObject?: unknown;
                annotations?: Record<string, string>;
              },
          )
          .filter((e) => e.stage === 'ResponseComplete' && e.verb === 'create');
        return evs.length >= 2 ? evs : undefined;
      });
      const small = events.find((e) => e.objectRef?.name === 'small')!;
      const big = events.find((e) => e.objectRef?.name === 'big')!;
      assert.ok(small.requestObject && small.responseObject);
      assert.equal(small.annotations?.['audit.k8s.io/truncated'], undefined);
      assert.equal(big.requestObject, undefined);
      assert.equal(big.responseObject, undefined);
      assert.equal(big.annotations?.['audit.k8s.io/truncated'], 'true');
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad mode at start with upstream's message", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-modes-'));
    writeFileSync(join(dir, 'policy.yaml'), CONFIGMAPS_POLICY('Metadata'));
    try {
      await assert.rejects(
        startServer([
          '--audit-policy-file',
          join(dir, 'policy.yaml'),
          '--audit-log-path',
          '-',
          '--audit-log-mode',
          'async',
        ]),
        /invalid audit log mode async, allowed modes are "batch,blocking,blocking-strict"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
