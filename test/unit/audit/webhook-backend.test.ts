// The webhook plugin: one EventList POST per batch, upstream's retry of transient failures
// (500, 504, 429) from --audit-webhook-initial-backoff, and no retry of a refusal (400).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookBackend } from '../../../src/apiserver/audit/backend-webhook.js';
import type { AuditEvent } from '../../../src/apiserver/audit/event.js';

const event = (i: number): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: `id-${i}`,
  stage: 'ResponseComplete',
  requestURI: '/api/v1/pods',
  verb: 'list',
  user: { username: 'u' },
  requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
  stageTimestamp: '2026-01-01T00:00:00.000000Z',
});

/** A sink answering the given codes in turn (then 200); returns what it received. */
async function sink(codes: number[]) {
  const bodies: { kind: string; apiVersion: string; items: { auditID: string }[] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as (typeof bodies)[number]);
      res.writeHead(codes.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-wh-'));
  const configFile = join(dir, 'kubeconfig');
  writeFileSync(
    configFile,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: s\n  cluster: {server: "http://127.0.0.1:${(server.address() as { port: number }).port}/"}\nusers:\n- name: s\n  user: {}\ncontexts:\n- name: s\n  context: {cluster: s, user: s}\ncurrent-context: s\n`,
  );
  return { bodies, configFile, close: () => server.close() };
}

test('a batch is one EventList; 500 and 429 are retried after the initial backoff', async () => {
  const s = await sink([500, 429]);
  const lost: [string, number][] = [];
  const b = new WebhookBackend({
    configFile: s.configFile,
    initialBackoffMs: 5,
    countError: (p, n) => lost.push([p, n]),
  });
  try {
    assert.equal(await b.process([event(1), event(2)]), true);
    assert.equal(s.bodies.length, 3);
    assert.equal(s.bodies[2].kind, 'EventList');
    assert.equal(s.bodies[2].apiVersion, 'audit.k8s.io/v1');
    assert.deepEqual(
      s.bodies[2].items.map((e) => e.auditID),
      ['id-1', 'id-2'],
    );
    assert.deepEqual(lost, []);
  } finally {
    await b.shutdown();
    s.close();
  }
});

test('a 400 is not retried; the events are counted as lost by plugin "webhook"', async () => {
  const s = await sink([400]);
  const lost: [string, number][] = [];
  const b = new WebhookBackend({
    configFile: s.configFile,
    initialBackoffMs: 5,
    countError: (p, n) => lost.push([p, n]),
  });
  try {
    assert.equal(await b.process([event(1), event(2), event(3)]), false);
    assert.equal(s.bodies.length, 1);
    assert.deepEqual(lost, [['webhook', 3]]);
  } finally {
    await b.shutdown();
    s.close();
  }
});

test('five attempts in all, then the batch is lost', async () => {
  const s = await sink([500, 500, 500, 500, 500, 500]);
  const lost: [string, number][] = [];
  const b = new WebhookBackend({
    configFile: s.configFile,
    initialBackoffMs: 2,
    countError: (p, n) => lost.push([p, n]),
  });
  try {
    assert.equal(await b.process([event(1)]), false);
    assert.equal(s.bodies.length, 5);
    assert.deepEqual(lost, [['webhook', 1]]);
  } finally {
    await b.shutdown();
    s.close();
  }
});
