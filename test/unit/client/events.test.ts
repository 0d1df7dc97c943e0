// EventRecorder as client-go's correlator: repeats bump count; the tenth different message about
// the same object, type and reason becomes one "(combined from similar events)" Event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from '../../../src/client/events.js';
import type { RestClient } from '../../../src/client/rest.js';
import type { KubeObject } from '../../../src/api/types.js';

interface Call {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

function recorder(): { rec: EventRecorder; calls: Call[] } {
  const calls: Call[] = [];
  const client = {
    request: (method: string, path: string, body: Record<string, unknown>) => {
      calls.push({ method, path, body });
      return Promise.resolve({});
    },
  } as unknown as RestClient;
  return { rec: new EventRecorder(client, 'replicaset-controller'), calls };
}

const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-1', namespace: 'q', uid: 'u1' },
};

test('identical events are one Event with a growing count', async () => {
  const { rec, calls } = recorder();
  for (let i = 0; i < 3; i++) rec.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-a');
  await rec.flush();
  assert.deepEqual(
    calls.map((c) => c.method),
    ['POST', 'PATCH', 'PATCH'],
  );
  assert.equal(calls[2]!.body.count, 3);
});

test('the tenth distinct message of a kind is combined, and later ones patch that Event', async () => {
  const { rec, calls } = recorder();
  for (let i = 0; i < 12; i++)
    rec.event(rs, 'Warning', 'FailedCreate', `Error creating: pods "web-1-${i}" is forbidden`);
  await rec.flush();
  assert.deepEqual(
    calls.map((c) => c.method),
    [...Array<string>(10).fill('POST'), 'PATCH', 'PATCH'],
  );
  assert.equal(calls[8]!.body.message, 'Error creating: pods "web-1-8" is forbidden');
  assert.equal(
    calls[9]!.body.message,
    '(combined from similar events): Error creating: pods "web-1-9" is forbidden',
  );
  assert.equal(calls[9]!.body.count, 1);
  assert.equal(calls[11]!.body.count, 3);
  assert.equal(
    calls[11]!.body.message,
    '(combined from similar events): Error creating: pods "web-1-11" is forbidden',
  );
  // another reason is counted apart
  rec.event(rs, 'Normal', 'SuccessfulCreate', 'Created pod: web-1-x');
  await rec.flush();
  assert.equal(calls[12]!.body.message, 'Created pod: web-1-x');
});
