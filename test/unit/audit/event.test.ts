// The wire format of audit events: MicroTime timestamps and upstream's field order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventJSON, microTime, type AuditEvent } from '../../../src/apiserver/audit/event.js';

test('timestamps have six fractional digits in UTC', () => {
  assert.equal(microTime(Date.parse('2026-01-02T03:04:05.123Z') * 1000 + 456), '2026-01-02T03:04:05.123456Z');
  assert.equal(microTime(Date.parse('2026-12-31T23:59:59Z') * 1000), '2026-12-31T23:59:59.000000Z');
});

test('fields come out in upstream order whatever order they were set in', () => {
  const ev = {
    annotations: { a: 'b' },
    stageTimestamp: 't2',
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'id',
    stage: 'ResponseComplete',
    requestURI: '/x',
    verb: 'get',
    user: { username: 'u' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: 't1',
  } as AuditEvent;
  assert.deepEqual(Object.keys(JSON.parse(eventJSON(ev)) as object), [
    'kind',
    'apiVersion',
    'level',
    'auditID',
    'stage',
    'requestURI',
    'verb',
    'user',
    'responseStatus',
    'requestReceivedTimestamp',
    'stageTimestamp',
    'annotations',
  ]);
});
