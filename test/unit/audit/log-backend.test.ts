// The JSON-lines backend: one event per line, size rotation with lumberjack's backup names,
// --audit-log-maxbackup pruning, and lost events counted (never thrown) when writes fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LogBackend } from '../../../src/apiserver/audit/backend-log.js';
import type { AuditEvent } from '../../../src/apiserver/audit/event.js';

const event = (i: number, pad = 0): AuditEvent => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: `id-${i}`,
  stage: 'ResponseComplete',
  requestURI: `/api/v1/pods?pad=${'x'.repeat(pad)}`,
  verb: 'list',
  user: { username: 'u' },
  requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
  stageTimestamp: '2026-01-01T00:00:00.000000Z',
});

test('events are written as JSON lines in upstream field order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const b = new LogBackend({ path: join(dir, 'audit.log'), countError: () => assert.fail('no errors') });
  b.process([event(1), event(2)]);
  await b.shutdown();
  const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.ok(
    lines[0].startsWith('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-1"'),
  );
  rmSync(dir, { recursive: true });
});

test('rotates at --audit-log-maxsize and keeps --audit-log-maxbackup backups', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const b = new LogBackend({
    path: join(dir, 'audit.log'),
    maxSizeMB: 1,
    maxBackups: 2,
    countError: () => assert.fail(),
  });
  // ~100 KiB per event, written in separate batches so rotations happen between them
  for (let i = 0; i < 40; i++) {
    b.process([event(i, 100 * 1024)]);
    await new Promise((r) => setTimeout(r, 5));
    await b.shutdown();
  }
  const files = readdirSync(dir).sort();
  const backups = files.filter((f) => f !== 'audit.log');
  assert.equal(backups.length, 2, files.join(' '));
  for (const f of backups) assert.match(f, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
  for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 1024 * 1024);
  rmSync(dir, { recursive: true });
});

test('a full disk loses events into the error counter, not into the request', async () => {
  const lost: [string, number][] = [];
  const b = new LogBackend({ path: '/dev/full', countError: (p, n) => lost.push([p, n]) });
  b.process([event(1), event(2), event(3)]);
  await b.shutdown();
  assert.deepEqual(lost, [['log', 3]]);
});

test("--audit-log-format=legacy writes upstream's one-line text form", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const b = new LogBackend({ path: join(dir, 'a.log'), format: 'legacy', countError: () => assert.fail() });
  const ev: AuditEvent = {
    ...event(1),
    stage: 'RequestReceived',
    requestURI: '/api/v1/namespaces/ns/pods?limit=500',
    verb: 'list',
    user: { username: 'jane', groups: ['dev', 'system:authenticated'] },
    sourceIPs: ['10.0.0.1', '127.0.0.1'],
    userAgent: 'kubectl/v1.31.0 (linux/amd64)',
    objectRef: { resource: 'pods', namespace: 'ns', apiVersion: 'v1' },
    requestReceivedTimestamp: '2026-01-02T03:04:05.120000Z',
  };
  assert.equal(
    await b.process([ev, { ...ev, stage: 'ResponseComplete', responseStatus: { metadata: {}, code: 200 } }]),
    true,
  );
  await b.shutdown();
  const lines = readFileSync(join(dir, 'a.log'), 'utf8').split('\n');
  assert.equal(
    lines[0],
    '2026-01-02T03:04:05.12Z AUDIT: id="id-1" stage="RequestReceived" ip="10.0.0.1" method="list" ' +
      'user="jane" groups="\\"dev\\",\\"system:authenticated\\"" as="<self>" asgroups="<lookup>" ' +
      'user-agent="kubectl/v1.31.0 (linux/amd64)" namespace="ns" uri="/api/v1/namespaces/ns/pods?limit=500" ' +
      'response="<deferred>"',
  );
  assert.match(lines[1], / stage="ResponseComplete" .* response="200"$/);
  rmSync(dir, { recursive: true });
});

test('--audit-log-compress gzips rotated files to <backup>.gz', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const b = new LogBackend({
    path: join(dir, 'audit.log'),
    maxSizeMB: 1,
    compress: true,
    countError: () => assert.fail(),
  });
  for (let i = 0; i < 12; i++) await b.process([event(i, 100 * 1024)]);
  await b.shutdown();
  const files = readdirSync(dir).sort();
  const backups = files.filter((f) => f !== 'audit.log');
  assert.ok(backups.length >= 1, files.join(' '));
  for (const f of backups) assert.match(f, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log\.gz$/);
  const text = gunzipSync(readFileSync(join(dir, backups[0]))).toString();
  assert.ok(text.startsWith('{"kind":"Event"'));
  rmSync(dir, { recursive: true });
});
