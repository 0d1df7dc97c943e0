import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { podSummary } from '../../../src/apiserver/registry/core/pods.js';
import { NOW, context, create, createErrors, row, strategy, update } from './helpers.js';

const pods = strategy(coreV1Strategies, 'pods');

function pod(status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta = {}): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: '2024-06-01T11:55:00Z', ...meta },
    spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
    status,
  };
}
const running = { running: { startedAt: '2024-06-01T11:56:00Z' } };
const status = (p: KubeObject) => podSummary(p, NOW).status;

describe('pod STATUS column', () => {
  it('shows the phase when no container reports anything', () => {
    assert.equal(status(pod({ phase: 'Pending' })), 'Pending');
    assert.equal(status({ metadata: { name: 'p' }, spec: { containers: [] } }), '');
  });

  it('prefers status.reason over the phase', () => {
    assert.equal(status(pod({ phase: 'Failed', reason: 'Evicted' })), 'Evicted');
  });

  it('shows init progress, init failures and waiting reasons', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    assert.equal(
      status(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [
              { name: 'i1', state: { terminated: { exitCode: 0 } } },
              { name: 'i2', state: running },
            ],
          },
          spec,
        ),
      ),
      'Init:1/2',
    );
    assert.equal(
      status(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }],
          },
          spec,
        ),
      ),
      'Init:ExitCode:3',
    );
    assert.equal(
      status(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
          },
          spec,
        ),
      ),
      'Init:CrashLoopBackOff',
    );
    assert.equal(
      status(
        pod(
          {
            phase: 'Pending',
            initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }],
          },
          spec,
        ),
      ),
      'Init:0/2',
    );
  });

  it('shows container waiting and terminated reasons', () => {
    assert.equal(
      status(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        }),
      ),
      'CrashLoopBackOff',
    );
    assert.equal(
      status(
        pod({
          phase: 'Pending',
          containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
      ),
      'ContainerCreating',
    );
    assert.equal(
      status(
        pod({
          phase: 'Succeeded',
          containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        }),
      ),
      'Completed',
    );
    assert.equal(
      status(
        pod({
          phase: 'Failed',
          containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 137, signal: 9 } } }],
        }),
      ),
      'Signal:9',
    );
  });

  it('keeps Running when one container completed but another still runs and the pod is ready', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const st = {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'b', ready: true, state: running },
      ],
    };
    assert.equal(status(pod({ ...st, conditions: [{ type: 'Ready', status: 'True' }] }, spec)), 'Running');
    assert.equal(status(pod(st, spec)), 'NotReady');
  });

  it('shows Terminating for a deleted pod that has not finished', () => {
    const meta = { deletionTimestamp: '2024-06-01T11:59:00Z' };
    assert.equal(status(pod({ phase: 'Running' }, {}, meta)), 'Terminating');
    assert.equal(status(pod({ phase: 'Succeeded' }, {}, meta)), 'Succeeded');
    assert.equal(status(pod({ phase: 'Running', reason: 'NodeLost' }, {}, meta)), 'Unknown');
  });

  it('shows SchedulingGated for a gated pod', () => {
    assert.equal(
      status(
        pod({
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        }),
      ),
      'SchedulingGated',
    );
  });
});

describe('pods table', () => {
  it('fills every column, restarts with the age of the last restart', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.42.0.7',
        containerStatuses: [
          {
            name: 'a',
            ready: true,
            restartCount: 2,
            state: running,
            lastState: { terminated: { exitCode: 1, finishedAt: '2024-06-01T11:55:00Z' } },
          },
        ],
      },
      { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/ok' }] },
    );
    assert.deepEqual(row(pods, p), {
      Name: 'p',
      Ready: '1/1',
      Status: 'Running',
      Restarts: '2 (5m ago)',
      Age: '5m',
      IP: '10.42.0.7',
      Node: 'node-1',
      'Nominated Node': '<none>',
      'Readiness Gates': '0/1',
    });
    assert.deepEqual(
      pods.table!.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
  });

  it('shows <none> for missing IP and node, and a plain count without restart time', () => {
    const r = row(pods, pod({ phase: 'Pending' }));
    assert.equal(r.IP, '<none>');
    assert.equal(r.Node, '<none>');
    assert.equal(r.Restarts, '0');
    assert.equal(r.Ready, '0/1');
  });
});

describe('pod validation', () => {
  it('requires containers', () => {
    assert.deepEqual(createErrors(pods, { metadata: { name: 'p' }, spec: { containers: [] } }), [
      'spec.containers: Required value',
    ]);
  });

  it('requires container name and image, and valid ports', () => {
    assert.deepEqual(
      createErrors(pods, {
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'Web', ports: [{ containerPort: 70000, protocol: 'HTTP' }] }] },
      }),
      [
        `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        'spec.containers[0].image: Required value',
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    );
  });

  it('rejects duplicate container names, unknown policies and mounts of missing volumes', () => {
    assert.deepEqual(
      createErrors(pods, {
        metadata: { name: 'p' },
        spec: {
          restartPolicy: 'Sometimes',
          containers: [
            { name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
            { name: 'a', image: 'x' },
          ],
        },
      }),
      [
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
        'spec.containers[1].name: Duplicate value: "a"',
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    );
  });

  it('rejects requests above limits', () => {
    assert.deepEqual(
      createErrors(pods, {
        metadata: { name: 'p' },
        spec: {
          containers: [
            { name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
          ],
        },
      }),
      [
        'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
      ],
    );
  });
});

describe('pod updates', () => {
  const old = create(pods, {
    metadata: { name: 'p', uid: 'u' },
    spec: { containers: [{ name: 'a', image: 'nginx:1.26' }] },
  });

  it('allows a new image and keeps the status', () => {
    const next = structuredClone(old);
    (next.spec as { containers: { image: string }[] }).containers[0].image = 'nginx:1.27';
    next.status = { phase: 'Running' };
    const { obj, errors } = update(pods, next, old);
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('forbids other spec changes with upstream message', () => {
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).restartPolicy = 'Never';
    const { errors } = update(pods, next, old);
    assert.equal(errors.length, 1);
    assert.ok(
      errors[0].startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      errors[0],
    );
    assert.match(errors[0], /restartPolicy/);
  });

  it('forbids adding containers', () => {
    const next = structuredClone(old);
    (next.spec as { containers: unknown[] }).containers.push({ name: 'b', image: 'x' });
    assert.deepEqual(update(pods, next, old).errors, [
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
  });

  // upstream's ValidatePodSpecificAnnotationUpdates, for updates and status updates alike
  it('forbids adding, changing or removing the mirror pod annotation', () => {
    const key = 'kubernetes.io/config.mirror';
    const withMirror = (v?: string) => {
      const p = structuredClone(old);
      p.metadata.annotations = v === undefined ? { other: 'x' } : { other: 'x', [key]: v };
      return p;
    };
    for (const subresource of [undefined, 'status']) {
      const ctx = { ...context(), subresource };
      assert.deepEqual(update(pods, withMirror('h1'), withMirror(), ctx).errors, [
        `metadata.annotations[${key}]: Forbidden: may not add mirror pod annotation`,
      ]);
      assert.deepEqual(update(pods, withMirror('h2'), withMirror('h1'), ctx).errors, [
        `metadata.annotations[${key}]: Forbidden: may not remove or update mirror pod annotation`,
      ]);
      assert.deepEqual(update(pods, withMirror(), withMirror('h1'), ctx).errors, [
        `metadata.annotations[${key}]: Forbidden: may not remove or update mirror pod annotation`,
      ]);
      assert.deepEqual(update(pods, withMirror('h1'), withMirror('h1'), ctx).errors, []);
    }
  });
});

describe('pod graceful deletion', () => {
  const gp = (p: KubeObject, requested?: number) => pods.gracePeriod!(p, requested);
  it('uses the requested period, else the spec, for a scheduled running pod', () => {
    const p = pod({ phase: 'Running' }, { nodeName: 'n1', terminationGracePeriodSeconds: 45 });
    assert.equal(gp(p), 45);
    assert.equal(gp(p, 5), 5);
    assert.equal(gp(p, -3), 1);
  });
  it('deletes at once a pod never scheduled or already finished', () => {
    assert.equal(gp(pod({ phase: 'Pending' }, { terminationGracePeriodSeconds: 30 })), 0);
    assert.equal(gp(pod({ phase: 'Succeeded' }, { nodeName: 'n1' })), 0);
    assert.equal(gp(pod({ phase: 'Failed' }, { nodeName: 'n1' }), 30), 0);
  });
});

describe('pod field selectors and discovery', () => {
  it('offers upstream field selectors', () => {
    const p = pod(
      { phase: 'Running', podIPs: [{ ip: '10.42.0.9' }] },
      { nodeName: 'n1', restartPolicy: 'Always' },
    );
    const f = pods.fieldSelectors!;
    assert.deepEqual(Object.keys(f).sort(), [
      'spec.hostNetwork',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.nominatedNodeName',
      'status.phase',
      'status.podIP',
    ]);
    assert.equal(f['spec.nodeName'](p), 'n1');
    assert.equal(f['status.podIP'](p), '10.42.0.9');
    assert.equal(f['spec.hostNetwork'](p), 'false');
  });

  it('is po, in category all, with a status subresource', () => {
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    assert.equal(pods.definition, 'io.k8s.api.core.v1.Pod');
    assert.equal(pods.status, true);
  });

  it('marks gated pods unschedulable on create', () => {
    const p = create(pods, {
      metadata: { name: 'g' },
      spec: { schedulingGates: [{ name: 'a.io/wait' }], containers: [{ name: 'a', image: 'x:1' }] },
    });
    assert.deepEqual((p.status as { conditions: unknown[] }).conditions, [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ]);
  });
});
