// The --audit-* flags: upstream's defaults and the messages upstream refuses bad values with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditBoolArgs, auditOptionsFromFlags } from '../../../src/apiserver/audit/options.js';

const opts = (values: Record<string, unknown>) => auditOptionsFromFlags(values, (p) => `/abs/${p}`);
const refused = (values: Record<string, unknown>, message: string) =>
  assert.throws(() => opts(values), { message });

test('defaults: log blocking without batching, webhook batch 10000/400/30s with a 10 QPS throttle', () => {
  const o = opts({ 'audit-log-path': 'a.log', 'audit-webhook-config-file': 'wh.yaml' });
  assert.equal(o.logPath, '/abs/a.log');
  assert.equal(o.logFormat, 'json');
  assert.equal(o.log?.mode, 'blocking');
  assert.equal(o.log?.batch.maxBatchSize, 1);
  assert.equal(o.log?.truncateEnabled, false);
  assert.deepEqual(o.log?.truncate, { maxEventSize: 102400, maxBatchSize: 10485760 });
  assert.equal(o.webhook?.mode, 'batch');
  assert.deepEqual(o.webhook?.batch, {
    bufferSize: 10000,
    maxBatchSize: 400,
    maxBatchWaitMs: 30000,
    throttleEnable: true,
    throttleQPS: 10,
    throttleBurst: 15,
    asyncDelegate: true,
  });
});

test('flags set their values; --flag=false works for booleans', () => {
  const { args, values } = auditBoolArgs([
    '--audit-webhook-batch-throttle-enable=false',
    '--audit-log-compress=true',
    '--data-dir=/x',
  ]);
  assert.deepEqual(args, ['--data-dir=/x']);
  const o = opts({
    ...values,
    'audit-log-path': '-',
    'audit-log-format': 'legacy',
    'audit-log-mode': 'batch',
    'audit-log-batch-max-size': '10',
    'audit-log-truncate-enabled': true,
    'audit-webhook-config-file': 'wh.yaml',
    'audit-webhook-batch-max-wait': '5s',
    'audit-webhook-initial-backoff': '250ms',
  });
  assert.equal(o.logPath, '-');
  assert.equal(o.logFormat, 'legacy');
  assert.equal(o.logCompress, true);
  assert.equal(o.log?.mode, 'batch');
  assert.equal(o.log?.batch.maxBatchSize, 10);
  assert.equal(o.log?.truncateEnabled, true);
  assert.equal(o.webhook?.batch.throttleEnable, false);
  assert.equal(o.webhook?.batch.maxBatchWaitMs, 5000);
  assert.equal(o.webhookInitialBackoffMs, 250);
});

test('bad values are refused with upstream messages', () => {
  const log = { 'audit-log-path': 'a.log' };
  refused(
    { ...log, 'audit-log-mode': 'async' },
    'invalid audit log mode async, allowed modes are "batch,blocking,blocking-strict"',
  );
  refused(
    { ...log, 'audit-log-format': 'yaml' },
    'invalid audit log format yaml, allowed formats are "legacy,json"',
  );
  refused(
    { ...log, 'audit-log-mode': 'batch', 'audit-log-batch-buffer-size': '0' },
    'invalid audit batch log buffer size 0, must be a positive number',
  );
  refused(
    { 'audit-webhook-config-file': 'w', 'audit-webhook-batch-throttle-qps': '0' },
    'invalid audit batch webhook throttle QPS 0, must be a positive number',
  );
  refused(
    { ...log, 'audit-log-truncate-max-event-size': '0' },
    'invalid audit truncate log max event size 0, must be a positive number',
  );
  refused(
    { ...log, 'audit-log-truncate-max-batch-size': '10' },
    'invalid audit truncate log max batch size 10, must be greater than max event size (102400)',
  );
  refused(
    { ...log, 'audit-log-version': 'audit.k8s.io/v1beta1' },
    'invalid group version, allowed versions are ["audit.k8s.io/v1"]',
  );
  refused({ ...log, 'audit-log-maxage': '-1' }, "--audit-log-maxage -1 can't be a negative number");
  refused(
    { ...log, 'audit-log-batch-max-size': 'ten' },
    'invalid argument "ten" for "--audit-log-batch-max-size" flag: strconv.ParseInt: parsing "ten": invalid syntax',
  );
  refused(
    { ...log, 'audit-log-mode': 'x', 'audit-log-format': 'y' },
    '[invalid audit log mode x, allowed modes are "batch,blocking,blocking-strict", invalid audit log format y, allowed formats are "legacy,json"]',
  );
});

test('flags of a backend that is not enabled are not validated (as upstream)', () => {
  assert.doesNotThrow(() => opts({ 'audit-log-mode': 'nonsense' }));
});
