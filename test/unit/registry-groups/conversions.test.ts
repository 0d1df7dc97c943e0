import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { create, createErrors, row, strategy } from './helpers.js';

const hpaV1 = strategy('autoscaling', 'v1', 'horizontalpodautoscalers');
const hpaV2 = strategy('autoscaling', 'v2', 'horizontalpodautoscalers');
const eventsV1 = strategy('events.k8s.io', 'v1', 'events');

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2024-06-01T11:00:00Z' };

describe('autoscaling/v1 <-> v2 HorizontalPodAutoscaler', () => {
  it('v1 targetCPUUtilizationPercentage is a cpu Utilization metric in v2, and back', () => {
    const v1 = create(hpaV1, {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    });
    const stored = hpaV1.storedAs!.toStored(v1);
    assert.equal(stored.apiVersion, 'autoscaling/v2');
    assert.deepEqual(stored.spec, {
      scaleTargetRef: ref,
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
    });
    const back = hpaV1.storedAs!.fromStored(stored);
    assert.deepEqual(back.spec, v1.spec);
    assert.equal(back.metadata.annotations, undefined);
  });

  it('a v1 HPA without a target reads back with the 80% default', () => {
    const v1 = create(hpaV1, { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5 } });
    const back = hpaV1.storedAs!.fromStored(hpaV1.storedAs!.toStored(v1));
    assert.equal(
      (back.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage,
      80,
    );
  });

  it('v2 metrics v1 cannot express travel in autoscaling.alpha.kubernetes.io annotations and come back', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...meta, annotations: { team: 'a' } },
      spec: {
        scaleTargetRef: ref,
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
          },
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 2,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'memory', current: { averageValue: '50Mi' } } },
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 30, averageValue: '100m' } },
          },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
      },
    };
    const v1 = hpaV1.storedAs!.fromStored(v2);
    assert.deepEqual(v1.spec, {
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 60,
    });
    assert.deepEqual(v1.status, {
      currentReplicas: 2,
      desiredReplicas: 2,
      currentCPUUtilizationPercentage: 30,
    });
    const ann = v1.metadata.annotations!;
    assert.equal(ann.team, 'a');
    assert.deepEqual(JSON.parse(ann['autoscaling.alpha.kubernetes.io/metrics']), [
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
    ]);
    assert.deepEqual(JSON.parse(ann['autoscaling.alpha.kubernetes.io/current-metrics']), [
      { type: 'Resource', resource: { name: 'memory', currentAverageValue: '50Mi' } },
      {
        type: 'Resource',
        resource: { name: 'cpu', currentAverageUtilization: 30, currentAverageValue: '100m' },
      },
    ]);
    assert.ok(ann['autoscaling.alpha.kubernetes.io/conditions']);
    assert.ok(ann['autoscaling.alpha.kubernetes.io/behavior']);

    const again = hpaV1.storedAs!.toStored(v1);
    assert.deepEqual(again.metadata.annotations, { team: 'a' });
    // the other metrics first, the v1 CPU target last (upstream's order)
    assert.deepEqual((again.spec as { metrics: unknown[] }).metrics, [
      v2.spec && (v2.spec as { metrics: unknown[] }).metrics[0],
      (v2.spec as { metrics: unknown[] }).metrics[2],
      (v2.spec as { metrics: unknown[] }).metrics[1],
    ]);
    assert.deepEqual(
      (again.spec as { behavior: unknown }).behavior,
      (v2.spec as { behavior: unknown }).behavior,
    );
    assert.deepEqual(again.status, v2.status);
  });

  it('v2 defaults: minReplicas 1, cpu 80%, behavior filled only when given', () => {
    const h = create(hpaV2, { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    assert.deepEqual(h.spec, {
      scaleTargetRef: ref,
      maxReplicas: 3,
      minReplicas: 1,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    });
    const b = create(hpaV2, {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: ref,
        maxReplicas: 3,
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    });
    assert.deepEqual((b.spec as { behavior: unknown }).behavior, {
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
    });
    // v2 omits a zero currentReplicas; v1 always shows both counts
    assert.deepEqual(h.status, { desiredReplicas: 0 });
    assert.deepEqual(hpaV1.storedAs!.fromStored(h).status, { currentReplicas: 0, desiredReplicas: 0 });
    assert.deepEqual(hpaV2.categories, ['all']);
    assert.deepEqual(hpaV2.shortNames, ['hpa']);
  });

  it('validation: replica bounds and the target reference', () => {
    assert.deepEqual(
      createErrors(hpaV2, {
        metadata: { name: 'web' },
        spec: { scaleTargetRef: ref, minReplicas: 5, maxReplicas: 3 },
      }),
      ['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`'],
    );
    assert.deepEqual(
      createErrors(hpaV2, {
        metadata: { name: 'web' },
        spec: { scaleTargetRef: { kind: 'Deployment' }, maxReplicas: 0 },
      }),
      [
        'spec.maxReplicas: Invalid value: 0: must be greater than 0',
        'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
        'spec.scaleTargetRef.name: Required value',
      ],
    );
  });

  it('table: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE, same for v1', () => {
    const h = create(hpaV2, {
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: ref,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
          },
          {
            type: 'Pods',
            pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
          },
        ],
      },
    });
    h.status = {
      currentReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }],
    };
    assert.deepEqual(Object.values(row(hpaV2, h)), [
      'web',
      'Deployment/web',
      'cpu: 12%/50%, memory: <unknown>/100Mi + 1 more...',
      '1',
      10,
      2,
      '60m',
    ]);
    const v1 = create(hpaV1, {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
    });
    assert.deepEqual(Object.values(row(hpaV1, v1)).slice(2, 6), ['cpu: <unknown>/70%', '1', 4, 0]);
  });
});

describe('events.k8s.io/v1 <-> core/v1 Event', () => {
  const eventV1 = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web.17d', namespace: 'default' },
    eventTime: '2024-06-01T11:59:00.000000Z',
    series: { count: 3, lastObservedTime: '2024-06-01T11:59:30.000000Z' },
    reportingController: 'example.com/controller',
    reportingInstance: 'controller-1',
    action: 'Scaling',
    reason: 'ScaledUp',
    regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    related: { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' },
    note: 'scaled up to 3',
    type: 'Normal',
  };

  it('renames the fields both ways and round-trips', () => {
    const core = eventsV1.storedAs!.toStored(eventV1 as never) as unknown as Record<string, unknown>;
    assert.equal(eventsV1.storedAs!.resource, 'events');
    assert.equal(eventsV1.storedAs!.group, '');
    assert.equal(core.apiVersion, 'v1');
    assert.equal(core.message, 'scaled up to 3');
    assert.deepEqual(core.involvedObject, eventV1.regarding);
    assert.equal(core.reportingComponent, 'example.com/controller');
    assert.deepEqual(core.source, {});
    assert.equal(core.firstTimestamp, null);
    assert.deepEqual(core.series, eventV1.series);
    const back = eventsV1.storedAs!.fromStored(core as never) as unknown as Record<string, unknown>;
    assert.deepEqual(back, {
      ...eventV1,
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  it('an old-style core event reads with its deprecated fields', () => {
    const core = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'pod.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'pod' },
      reason: 'Pulled',
      message: 'pulled image',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2024-06-01T11:00:00Z',
      lastTimestamp: '2024-06-01T11:50:00Z',
      count: 4,
      type: 'Normal',
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    };
    const v1 = eventsV1.storedAs!.fromStored(core as never) as unknown as Record<string, unknown>;
    assert.deepEqual(v1.deprecatedSource, { component: 'kubelet', host: 'node-1' });
    assert.equal(v1.deprecatedCount, 4);
    assert.equal(v1.deprecatedFirstTimestamp, '2024-06-01T11:00:00Z');
    assert.equal(v1.note, 'pulled image');
    assert.equal(v1.eventTime, null);
    assert.deepEqual(eventsV1.storedAs!.toStored(v1 as never), core);
  });

  it('creation through events.k8s.io is strict', () => {
    assert.deepEqual(createErrors(eventsV1, eventV1), []);
    const bare = {
      metadata: { name: 'e' },
      regarding: { kind: 'Pod', namespace: 'default', name: 'p' },
      eventTime: '2024-06-01T11:59:00.000000Z',
      type: 'Normal',
      deprecatedCount: 2,
    };
    // (the qualified-name messages for the empty reportingController come from validation.ts)
    const errs = createErrors(eventsV1, bare).filter(
      (e) => !e.startsWith('reportingController: Invalid value'),
    );
    assert.deepEqual(errs, [
      'reportingController: Required value',
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
      'deprecatedCount: Invalid value: "": needs to be unset',
    ]);
    assert.deepEqual(createErrors(eventsV1, { ...eventV1, eventTime: undefined }), [
      'eventTime: Required value',
    ]);
    assert.deepEqual(createErrors(eventsV1, { ...eventV1, type: 'Info' }), [
      'type: Invalid value: "": has invalid value: Info',
    ]);
  });

  it('prints the core event table', () => {
    const e = create(eventsV1, eventV1);
    const r = row(eventsV1, e);
    assert.equal(r.Object, 'deployment/web');
    assert.equal(r.Message, 'scaled up to 3');
    assert.equal(r.Reason, 'ScaledUp');
  });
});
