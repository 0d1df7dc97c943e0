import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import {
  defaultPodTemplateSpec,
  defaultPullPolicy,
} from '../../../src/apiserver/registry/core/pod-defaults.js';
import { create, strategy } from './helpers.js';

const pods = strategy(coreV1Strategies, 'pods');

describe('pod defaults', () => {
  it('fills a minimal pod as `kubectl get pod -o yaml` shows it (before admission)', () => {
    const pod = create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
    });
    assert.deepEqual(pod.spec, {
      containers: [
        {
          image: 'nginx:1.27',
          imagePullPolicy: 'IfNotPresent',
          name: 'nginx',
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('defaults ports, probes, env field refs and volumes', () => {
    const pod = create(pods, {
      metadata: { name: 'web' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.local:5000/app',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
            volumeMounts: [
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'scratch', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg' } },
          { name: 'scratch' },
          { name: 's', secret: { secretName: 's' } },
        ],
      },
    });
    const c = (pod.spec as { containers: Record<string, unknown>[] }).containers[0];
    assert.equal(c.imagePullPolicy, 'Always', 'a registry port is not a tag');
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.env, [
      { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    ]);
    assert.deepEqual(c.livenessProbe, {
      httpGet: { path: '/', port: 80, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, {
      tcpSocket: { port: 80 },
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual((pod.spec as { volumes: unknown[] }).volumes, [
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'scratch', emptyDir: {} },
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    ]);
  });

  it('takes requests from limits on pods, making them Guaranteed', () => {
    const pod = create(pods, {
      metadata: { name: 'g' },
      spec: {
        containers: [
          { name: 'a', image: 'busybox:1.36', resources: { limits: { cpu: '500m', memory: '128Mi' } } },
        ],
      },
    });
    const c = (pod.spec as { containers: Record<string, unknown>[] }).containers[0];
    assert.deepEqual(c.resources, {
      limits: { cpu: '500m', memory: '128Mi' },
      requests: { cpu: '500m', memory: '128Mi' },
    });
    assert.equal((pod.status as { qosClass: string }).qosClass, 'Guaranteed');
  });

  it('classifies partial resources as Burstable', () => {
    const pod = create(pods, {
      metadata: { name: 'b' },
      spec: { containers: [{ name: 'a', image: 'busybox:1.36', resources: { requests: { cpu: '100m' } } }] },
    });
    assert.equal((pod.status as { qosClass: string }).qosClass, 'Burstable');
  });

  it('gives hostNetwork pods host ports equal to container ports', () => {
    const pod = create(pods, {
      metadata: { name: 'h' },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }] }],
      },
    });
    const c = (pod.spec as { containers: Record<string, unknown>[] }).containers[0];
    assert.deepEqual(c.ports, [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
  });

  it('does not give templates the pod-only defaults', () => {
    const tpl: Record<string, unknown> = {
      metadata: { labels: { app: 'a' } },
      spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] },
    };
    defaultPodTemplateSpec(tpl);
    assert.deepEqual(tpl, {
      metadata: { labels: { app: 'a' }, creationTimestamp: null },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x',
            resources: { limits: { cpu: '1' } },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'Always',
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: 'default-scheduler',
      },
    });
  });

  it('chooses the pull policy from the tag as upstream does', () => {
    assert.equal(defaultPullPolicy('nginx'), 'Always');
    assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
    assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('localhost:5000/nginx'), 'Always');
  });
});
