// One request's audit record driven as the handler drives it, with a fake request and response:
// which events come out at which stage, and what they carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveRequestAudit, noteRequestor } from '../../../src/apiserver/audit/request.js';
import type { AuditEvent } from '../../../src/apiserver/audit/event.js';
import { parsePolicy } from '../../../src/apiserver/audit/policy.js';
import type { Req, Res } from '../../../src/apiserver/http/io.js';

const policy = (rules: string, extra = '') =>
  parsePolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${extra}rules:\n${rules}`);
const admin = { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

function fakes(method: string, url: string, body = '') {
  const headers: Record<string, string> = { 'user-agent': 'test/1', 'x-forwarded-for': '203.0.113.7' };
  const req = {
    method,
    url,
    headers,
    socket: { remoteAddress: '::ffff:127.0.0.1' },
    async *[Symbol.asyncIterator]() {
      if (body) yield Buffer.from(body);
    },
  } as Req & { socket: unknown };
  const sent: Record<string, string> = {};
  const res = {
    statusCode: 200,
    setHeader: (k: string, v: string) => (sent[k] = v),
    writeHead: () => undefined,
    write: () => true,
    end: () => undefined,
  } as unknown as Res;
  return { req, res, sent };
}

async function drain(req: Req) {
  for await (const _ of req) void _;
}

test('Request level records the request body; omitManagedFields strips managedFields', async () => {
  const events: AuditEvent[] = [];
  const body = JSON.stringify({
    metadata: { name: 'cm', managedFields: [{ manager: 'x' }] },
    data: { a: 'b' },
  });
  const { req, res, sent } = fakes('POST', '/api/v1/namespaces/ns/configmaps', body);
  const a = new ActiveRequestAudit(
    policy('- level: Request\n', 'omitManagedFields: true\n'),
    (e) => events.push(e) > 0,
    req,
    res,
  );
  a.received(admin);
  a.authorized('allow', 'RBAC: allowed');
  await drain(a.request(req));
  a.complete(201);
  assert.deepEqual(
    events.map((e) => e.stage),
    ['RequestReceived', 'ResponseComplete'],
  );
  const done = events[1];
  assert.equal(sent['Audit-Id'], done.auditID);
  assert.deepEqual(done.sourceIPs, ['203.0.113.7', '127.0.0.1']);
  assert.deepEqual(done.objectRef, { resource: 'configmaps', namespace: 'ns', name: 'cm', apiVersion: 'v1' });
  assert.deepEqual(done.requestObject, { metadata: { name: 'cm' }, data: { a: 'b' } });
  assert.equal(done.responseObject, undefined);
  assert.deepEqual(done.annotations, {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': 'RBAC: allowed',
  });
  assert.equal(events[0].objectRef?.name, undefined, 'RequestReceived comes before the body is read');
});

test('an internal error ends in the Panic stage instead of ResponseComplete', () => {
  const events: AuditEvent[] = [];
  const { req, res } = fakes('GET', '/api/v1/pods');
  const a = new ActiveRequestAudit(policy('- level: Metadata\n'), (e) => events.push(e) > 0, req, res);
  a.received(admin);
  a.failed(
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'boom',
      reason: 'InternalError',
      code: 500,
    },
    true,
  );
  a.complete(500);
  assert.deepEqual(
    events.map((e) => e.stage),
    ['RequestReceived', 'Panic'],
  );
  assert.deepEqual(events[1].responseStatus, {
    metadata: {},
    status: 'Failure',
    message: "APIServer panic'd: boom",
    reason: 'InternalError',
    code: 500,
  });
});

test('level None and omitted stages write nothing', () => {
  const events: AuditEvent[] = [];
  const { req, res } = fakes('GET', '/healthz');
  const a = new ActiveRequestAudit(
    policy('- level: None\n  nonResourceURLs: ["/healthz"]\n- level: Metadata\n'),
    (e) => events.push(e) > 0,
    req,
    res,
  );
  a.received(admin);
  a.complete(200);
  assert.equal(events.length, 0);
  const b = new ActiveRequestAudit(
    policy('- level: Metadata\n  omitStages: [RequestReceived, ResponseComplete]\n'),
    (e) => events.push(e) > 0,
    req,
    res,
  );
  b.received(admin);
  b.complete(200);
  assert.equal(events.length, 0);
});

test('an impersonated request names the requestor as user and the target as impersonatedUser', () => {
  const events: AuditEvent[] = [];
  const { req, res } = fakes('GET', '/api/v1/namespaces/ns/pods/p');
  noteRequestor(req, admin);
  const a = new ActiveRequestAudit(policy('- level: Metadata\n'), (e) => events.push(e) > 0, req, res);
  a.received({ name: 'jane', groups: ['dev', 'system:authenticated'] });
  a.complete(200);
  assert.equal(events[1].user.username, 'system:admin');
  assert.deepEqual(events[1].impersonatedUser, { username: 'jane', groups: ['dev', 'system:authenticated'] });
});

test('a watch records ResponseStarted when its headers go out, then ResponseComplete', () => {
  const events: AuditEvent[] = [];
  const { req, res } = fakes('GET', '/api/v1/pods?watch=true');
  const a = new ActiveRequestAudit(policy('- level: Metadata\n'), (e) => events.push(e) > 0, req, res);
  a.received(admin);
  res.writeHead(200, {});
  a.complete(200);
  assert.deepEqual(
    events.map((e) => `${e.verb} ${e.stage}`),
    ['watch RequestReceived', 'watch ResponseStarted', 'watch ResponseComplete'],
  );
});
