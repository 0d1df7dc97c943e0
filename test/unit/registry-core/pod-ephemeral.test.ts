// Ephemeral containers in the pod strategy: upstream's validation texts and field paths for
// spec.ephemeralContainers, the pods/ephemeralcontainers update rules, and that neither create
// nor a normal update may set them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';
import { context, create, strategy } from './helpers.js';

const pods = strategy(coreV1Strategies, 'pods');

function runningPod(): KubeObject {
  const pod = create(pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'ephemeral-demo', uid: 'u1', resourceVersion: '5' },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.1' }],
    },
  });
  return pod;
}

/** The pod with `ephemeral` as spec.ephemeralContainers, defaulted as the store does. */
function withEphemeral(pod: KubeObject, ephemeral: Record<string, unknown>[]): KubeObject {
  const next = structuredClone(pod);
  (next.spec as Record<string, unknown>).ephemeralContainers = structuredClone(ephemeral);
  pods.defaults?.(next);
  return next;
}

/** What an update of the subresource answers: its errors as kubectl prints them. */
function ephemeralUpdate(old: KubeObject, next: KubeObject): string[] {
  const ctx = { ...context(), subresource: 'ephemeralcontainers' };
  return [...(pods.validate?.(next, ctx) ?? []), ...(pods.validateUpdate?.(next, old, ctx) ?? [])].map(
    errorText,
  );
}

// what kubectl debug 1.31 sends (its strategic merge patch), resources: {} included
const DEBUGGER = {
  name: 'debugger-8xzrl',
  image: 'busybox',
  stdin: true,
  tty: true,
  resources: {},
  targetContainerName: 'app',
  terminationMessagePolicy: 'File',
};

describe('pods/ephemeralcontainers validation', () => {
  it('accepts the container kubectl debug adds, defaulted like any container', () => {
    const old = runningPod();
    const next = withEphemeral(old, [DEBUGGER]);
    assert.deepEqual(ephemeralUpdate(old, next), []);
    const ec = (next.spec as { ephemeralContainers: Record<string, unknown>[] }).ephemeralContainers[0];
    assert.equal(ec.imagePullPolicy, 'Always');
    assert.equal(ec.terminationMessagePath, '/dev/termination-log');
  });

  it('forbids the fields an ephemeral container may not set, in upstream order', () => {
    const old = runningPod();
    const next = withEphemeral(old, [
      {
        name: 'dbg',
        image: 'busybox',
        lifecycle: { postStart: { exec: { command: ['true'] } } },
        startupProbe: { exec: { command: ['true'] } },
        readinessProbe: { exec: { command: ['true'] } },
        livenessProbe: { exec: { command: ['true'] } },
        restartPolicy: 'Always',
        resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
        resources: { limits: { cpu: '1' } },
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      },
    ]);
    const F = 'Forbidden: cannot be set for an Ephemeral Container';
    assert.deepEqual(ephemeralUpdate(old, next), [
      `spec.ephemeralContainers[0].ports: ${F}`,
      `spec.ephemeralContainers[0].resources: ${F}`,
      `spec.ephemeralContainers[0].resizePolicy: ${F}`,
      `spec.ephemeralContainers[0].restartPolicy: ${F}`,
      `spec.ephemeralContainers[0].livenessProbe: ${F}`,
      `spec.ephemeralContainers[0].readinessProbe: ${F}`,
      `spec.ephemeralContainers[0].startupProbe: ${F}`,
      `spec.ephemeralContainers[0].lifecycle: ${F}`,
    ]);
  });

  it('forbids subPath and subPathExpr mounts', () => {
    const old = runningPod();
    const next = withEphemeral(old, [
      {
        name: 'dbg',
        image: 'busybox',
        volumeMounts: [
          { name: 'data', mountPath: '/a', subPath: 'x' },
          { name: 'data', mountPath: '/b', subPathExpr: '$(POD)' },
        ],
      },
    ]);
    assert.deepEqual(ephemeralUpdate(old, next), [
      'spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].volumeMounts[1].subPathExpr: Forbidden: cannot be set for an Ephemeral Container',
    ]);
  });

  it('wants names unique across all containers and a target among the non-ephemeral ones', () => {
    const old = runningPod();
    const next = withEphemeral(old, [
      { name: 'app', image: 'busybox' },
      { name: 'init', image: 'busybox' },
      { name: 'dbg', image: 'busybox', targetContainerName: 'nope' },
      { name: 'dbg', image: 'busybox', targetContainerName: 'app' },
      { name: 'other', image: 'busybox', targetContainerName: 'dbg' },
    ]);
    assert.deepEqual(ephemeralUpdate(old, next), [
      'spec.ephemeralContainers[0].name: Duplicate value: "app"',
      'spec.ephemeralContainers[1].name: Duplicate value: "init"',
      'spec.ephemeralContainers[2].targetContainerName: Not found: "nope"',
      'spec.ephemeralContainers[3].name: Duplicate value: "dbg"',
      'spec.ephemeralContainers[4].targetContainerName: Not found: "dbg"',
    ]);
  });

  it('gives common container errors the ephemeral field path', () => {
    const old = runningPod();
    const next = withEphemeral(old, [{ name: 'Bad_Name' }]);
    const errs = ephemeralUpdate(old, next);
    assert.match(
      errs[0],
      /^spec\.ephemeralContainers\[0\]\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/,
    );
    assert.ok(errs.includes('spec.ephemeralContainers[0].image: Required value'), errs.join('\n'));
  });

  it('keeps existing ephemeral containers: no change, no removal (matched by name)', () => {
    const old = withEphemeral(runningPod(), [DEBUGGER, { ...DEBUGGER, name: 'second' }]);
    const changed = withEphemeral(old, [
      { ...DEBUGGER, name: 'second' },
      { ...DEBUGGER, image: 'ubuntu' },
    ]);
    assert.deepEqual(ephemeralUpdate(old, changed), [
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-8xzrl" may not be changed\n  - image: "busybox"\n  + image: "ubuntu"',
    ]);
    const removed = withEphemeral(old, [{ ...DEBUGGER, name: 'second' }]);
    assert.deepEqual(ephemeralUpdate(old, removed), [
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-8xzrl" may not be removed\n',
    ]);
    // a reordered list with one more is fine
    const added = withEphemeral(old, [
      { ...DEBUGGER, name: 'second' },
      DEBUGGER,
      { ...DEBUGGER, name: 'third' },
    ]);
    assert.deepEqual(ephemeralUpdate(old, added), []);
  });

  it('refuses static (mirror) pods as upstream: field path []', () => {
    const old = runningPod();
    old.metadata.annotations = { 'kubernetes.io/config.mirror': 'abc' };
    const next = withEphemeral(old, [DEBUGGER]);
    assert.deepEqual(ephemeralUpdate(old, next), [
      '[]: Forbidden: static pods do not support ephemeral containers',
    ]);
  });

  it('refuses ephemeral containers on create', () => {
    const pod = withEphemeral(runningPod(), [DEBUGGER]);
    assert.deepEqual((pods.validateCreate?.(pod, context()) ?? []).map(errorText), [
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
    assert.deepEqual(pods.validateCreate?.(runningPod(), context()), []);
  });

  it('a normal pod update may not change them', () => {
    const old = withEphemeral(runningPod(), [DEBUGGER]);
    const next = withEphemeral(old, []);
    const errs = (pods.validateUpdate?.(next, old, context()) ?? []).map(errorText);
    assert.equal(errs.length, 1);
    assert.match(errs[0], /^spec: Forbidden: pod updates may not change fields other than /);
    assert.match(errs[0], /\+ ephemeralContainers: \[\]/);
  });
});
