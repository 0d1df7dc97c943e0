// The CSR strategy: the requestor comes from the request's user, and the approval rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { certificatesigningrequests as st } from '../../../src/apiserver/registry/certificates/certificatesigningrequests.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';
import type { StrategyContext } from '../../../src/apiserver/registry/strategy.js';
import { csrObject, csrPem } from './fixtures.js';

const ctx = (over: Partial<StrategyContext> = {}): StrategyContext =>
  ({ now: new Date('2026-01-01T00:00:00Z'), dryRun: false, allocators: {}, ...over }) as StrategyContext;

test('create records who asked, whatever the client wrote, and starts with no status', async () => {
  const c = csrObject(
    'x',
    await csrPem('CN=x'),
    { username: 'forged', groups: ['system:masters'] },
    {
      conditions: [{ type: 'Approved', status: 'True' }],
    },
  ) as unknown as KubeObject;
  st.prepareForCreate!(
    c,
    ctx({ user: { name: 'jane', uid: 'u-1', groups: ['dev', 'system:authenticated'] } }),
  );
  assert.deepEqual(c.spec, {
    request: (c.spec as { request: string }).request,
    signerName: 'kubernetes.io/kube-apiserver-client',
    usages: ['client auth'],
    username: 'jane',
    uid: 'u-1',
    groups: ['dev', 'system:authenticated'],
  });
  assert.deepEqual(c.status, {});
});

function approvalUpdate(old: KubeObject, conditions: object[]): string[] {
  const next = structuredClone(old);
  next.status = { ...(next.status as object), conditions };
  const c = ctx({ subresource: 'approval' });
  st.prepareForUpdate!(next, old, c);
  return [...st.validate!(next, c), ...st.validateUpdate!(next, old, c)].map(errorText);
}

test('approval: conditions get timestamps; Approved+Denied, False status and removal are refused', async () => {
  const old = csrObject('x', await csrPem('CN=x'), {}) as unknown as KubeObject;
  old.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  const next = structuredClone(old);
  next.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] };
  st.prepareForUpdate!(next, old, ctx({ subresource: 'approval' }));
  assert.deepEqual((next.status as { conditions: object[] }).conditions[0], {
    type: 'Approved',
    status: 'True',
    reason: 'KubectlApprove',
    lastUpdateTime: '2026-01-01T00:00:00Z',
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
  assert.deepEqual(
    approvalUpdate(old, [
      { type: 'Approved', status: 'True' },
      { type: 'Denied', status: 'True' },
    ]),
    [
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    ],
  );
  assert.deepEqual(approvalUpdate(old, [{ type: 'Approved', status: 'False' }]), [
    'status.conditions[0].status: Unsupported value: "False": supported values: "True"',
  ]);
  const approved = structuredClone(old);
  approved.status = { conditions: [{ type: 'Approved', status: 'True' }] };
  assert.deepEqual(approvalUpdate(approved, []), [
    'status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
  ]);
});

test('a main-resource update keeps spec and status as stored', async () => {
  const old = csrObject('x', await csrPem('CN=x'), { username: 'jane' }) as unknown as KubeObject;
  const next = structuredClone(old);
  (next.spec as { username: string }).username = 'mallory';
  next.status = { certificate: 'AAAA' };
  st.prepareForUpdate!(next, old, ctx());
  assert.equal((next.spec as { username: string }).username, 'jane');
  assert.deepEqual(next.status, {});
});
