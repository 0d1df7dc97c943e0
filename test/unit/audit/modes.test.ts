// The layers around an audit plugin, as upstream stacks them: the buffered plugin of batch mode
// (flush by size, by time, a bounded buffer whose overflow is counted as plugin "buffered"),
// blocking and blocking-strict, and the truncate plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BufferedBackend,
  LOG_BATCH,
  WEBHOOK_BATCH,
  withMode,
} from '../../../src/apiserver/audit/buffered.js';
import type { AuditBackend } from '../../../src/apiserver/audit/backend.js';
import type { AuditEvent } from '../../../src/apiserver/audit/event.js';
import { TruncateBackend } from '../../../src/apiserver/audit/truncate.js';
import { ActiveRequestAudit } from '../../../src/apiserver/audit/request.js';
import { parsePolicy } from '../../../src/apiserver/audit/policy.js';
import type { Req, Res } from '../../../src/apiserver/http/io.js';

const event = (i: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
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
  ...extra,
});

/** A plugin that records batches; `answer` decides what it says. */
function recorder(answer: () => boolean | Promise<boolean> = () => true) {
  const batches: string[][] = [];
  let notify: (() => void) | undefined;
  const plugin: AuditBackend = {
    name: 'fake',
    process(events) {
      batches.push(events.map((e) => e.auditID));
      notify?.();
      return answer();
    },
    shutdown: async () => undefined,
  };
  /** Resolves once n batches have arrived. */
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (batches.length >= n ? resolve() : undefined);
      notify = check;
      check();
    });
  return { plugin, batches, until };
}

const noErrors = () => assert.fail('no events may be lost');
const batch = (over: Partial<typeof WEBHOOK_BATCH>) => ({ ...WEBHOOK_BATCH, throttleEnable: false, ...over });

test('batch mode sends a batch as soon as batch-max-size events are in', async () => {
  const r = recorder();
  const b = new BufferedBackend(r.plugin, batch({ maxBatchSize: 3, maxBatchWaitMs: 3_600_000 }), noErrors);
  assert.equal(b.process([0, 1, 2, 3, 4, 5, 6].map((i) => event(i))), true);
  await r.until(2);
  assert.deepEqual(r.batches, [
    ['id-0', 'id-1', 'id-2'],
    ['id-3', 'id-4', 'id-5'],
  ]);
  await b.shutdown(); // the partial batch goes at shutdown
  assert.deepEqual(r.batches[2], ['id-6']);
});

test('batch mode sends a partial batch after batch-max-wait', async () => {
  const r = recorder();
  const b = new BufferedBackend(r.plugin, batch({ maxBatchSize: 400, maxBatchWaitMs: 20 }), noErrors);
  b.process([event(1)]);
  b.process([event(2)]);
  await r.until(1);
  assert.deepEqual(r.batches, [['id-1', 'id-2']]);
  await b.shutdown();
});

test('batch mode never waits for the plugin, and drops beyond batch-buffer-size as "buffered"', async () => {
  const lost: [string, number][] = [];
  let release!: () => void;
  const stuck = new Promise<boolean>((resolve) => (release = () => resolve(true)));
  const r = recorder(() => stuck); // a webhook that does not answer
  const b = new BufferedBackend(
    r.plugin,
    batch({ bufferSize: 5, maxBatchSize: 100, maxBatchWaitMs: 3_600_000 }),
    (p, n) => lost.push([p, n]),
  );
  assert.equal(b.process([1, 2, 3, 4, 5, 6, 7, 8].map((i) => event(i))), true);
  assert.deepEqual(lost, [['buffered', 3]]);
  const done = b.shutdown();
  release();
  await done;
  assert.deepEqual(r.batches, [['id-1', 'id-2', 'id-3', 'id-4', 'id-5']]);
});

test('the log default (batch-max-size 1) writes one event per batch, in order', async () => {
  const r = recorder(() => Promise.resolve(true));
  const b = new BufferedBackend(r.plugin, LOG_BATCH, noErrors);
  b.process([event(1), event(2), event(3)]);
  await r.until(3);
  assert.deepEqual(r.batches, [['id-1'], ['id-2'], ['id-3']]);
  await b.shutdown();
});

test('events after shutdown are counted as lost', async () => {
  const lost: [string, number][] = [];
  const b = new BufferedBackend(recorder().plugin, WEBHOOK_BATCH, (p, n) => lost.push([p, n]));
  await b.shutdown();
  b.process([event(1)]);
  assert.deepEqual(lost, [['buffered', 1]]);
});

test('blocking waits for the plugin but ignores its failures; blocking-strict reports them', async () => {
  const failing = recorder(() => Promise.resolve(false)).plugin;
  assert.equal(await withMode(failing, 'blocking', LOG_BATCH, noErrors).process([event(1)]), true);
  assert.equal(await withMode(failing, 'blocking-strict', LOG_BATCH, noErrors).process([event(1)]), false);
  assert.equal(withMode(failing, 'batch', LOG_BATCH, noErrors).process([event(1)]), true);
});

test('truncate drops request and response objects first and marks the event', async () => {
  const r: AuditEvent[][] = [];
  const plugin: AuditBackend = {
    name: 'fake',
    process: (e) => r.push(e) > 0,
    shutdown: async () => undefined,
  };
  const t = new TruncateBackend(plugin, { maxEventSize: 2000, maxBatchSize: 10_000 }, noErrors);
  const big = { data: 'x'.repeat(5000) };
  t.process([
    event(1, { level: 'RequestResponse', requestObject: big, responseObject: big, annotations: { a: 'b' } }),
  ]);
  assert.equal(r.length, 1);
  const ev = r[0][0];
  assert.equal(ev.requestObject, undefined);
  assert.equal(ev.responseObject, undefined);
  assert.deepEqual(ev.annotations, { a: 'b', 'audit.k8s.io/truncated': 'true' });
  assert.equal(ev.auditID, 'id-1');
});

test('truncate drops an event still too large, counted as plugin "truncate"', () => {
  const lost: [string, number][] = [];
  const r: AuditEvent[][] = [];
  const plugin: AuditBackend = {
    name: 'fake',
    process: (e) => r.push(e) > 0,
    shutdown: async () => undefined,
  };
  const t = new TruncateBackend(plugin, { maxEventSize: 1000, maxBatchSize: 10_000 }, (p, n) =>
    lost.push([p, n]),
  );
  // Metadata has no bodies to drop; a long URI cannot be truncated
  t.process([event(1, { requestURI: `/api/v1/pods?x=${'y'.repeat(2000)}` }), event(2)]);
  assert.deepEqual(lost, [['truncate', 1]]);
  assert.deepEqual(
    r.map((b) => b.map((e) => e.auditID)),
    [['id-2']],
  );
});

test('truncate splits batches at truncate-max-batch-size bytes', () => {
  const r: AuditEvent[][] = [];
  const plugin: AuditBackend = {
    name: 'fake',
    process: (e) => r.push(e) > 0,
    shutdown: async () => undefined,
  };
  const one = Buffer.byteLength(JSON.stringify(event(1))) + 1;
  const t = new TruncateBackend(plugin, { maxEventSize: one, maxBatchSize: one * 2 }, noErrors);
  t.process([1, 2, 3, 4, 5].map((i) => event(i)));
  assert.deepEqual(
    r.map((b) => b.length),
    [2, 2, 1],
  );
});

test('blocking-strict: a RequestReceived event that is not stored fails the request, nothing more is recorded', async () => {
  const emitted: string[] = [];
  const req = {
    method: 'GET',
    url: '/api/v1/pods',
    headers: {},
    socket: { remoteAddress: '127.0.0.1' },
    async *[Symbol.asyncIterator]() {},
  } as unknown as Req & { socket: unknown };
  const res = {
    statusCode: 200,
    setHeader: () => undefined,
    writeHead: () => undefined,
    write: () => true,
    end: () => undefined,
  } as unknown as Res;
  const a = new ActiveRequestAudit(
    parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'),
    (ev) => {
      emitted.push(ev.stage);
      return Promise.resolve(false);
    },
    req,
    res,
  );
  assert.equal(await a.received({ name: 'jane', groups: [] }), false);
  a.complete(500);
  assert.deepEqual(emitted, ['RequestReceived']);
});

test('the throttle holds batches beyond its burst; shutdown sends them anyway', async () => {
  const r = recorder();
  const b = new BufferedBackend(
    r.plugin,
    { ...WEBHOOK_BATCH, maxBatchSize: 1, throttleEnable: true, throttleQPS: 0.001, throttleBurst: 1 },
    noErrors,
  );
  b.process([event(1), event(2), event(3)]);
  await r.until(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(r.batches.length, 1, 'the next token is 1000 s away');
  await b.shutdown();
  assert.deepEqual(r.batches, [['id-1'], ['id-2'], ['id-3']]);
});

test('blocking: the response ends only once its ResponseComplete event is written', async () => {
  const written: string[] = [];
  const pending: (() => void)[] = [];
  const ended: string[] = [];
  const req = {
    method: 'GET',
    url: '/api/v1/namespaces/default/pods/p',
    headers: {},
    socket: { remoteAddress: '127.0.0.1' },
    async *[Symbol.asyncIterator]() {},
  } as unknown as Req & { socket: unknown };
  const res = {
    statusCode: 200,
    setHeader: () => undefined,
    writeHead: () => undefined,
    write: () => true,
    end: (chunk?: string) => void ended.push(chunk ?? ''),
  } as unknown as Res;
  const a = new ActiveRequestAudit(
    parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n'),
    (ev) =>
      new Promise<boolean>((resolve) =>
        pending.push(() => {
          written.push(ev.stage);
          resolve(true);
        }),
      ),
    req,
    res,
  );
  const received = a.received({ name: 'jane', groups: [] });
  pending.shift()!();
  assert.equal(await received, true);
  res.end('{"kind":"Pod"}');
  a.complete(200);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ended, [], 'held while ResponseComplete is being written');
  pending.shift()!();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, ['RequestReceived', 'ResponseComplete']);
  assert.deepEqual(ended, ['{"kind":"Pod"}']);
});
