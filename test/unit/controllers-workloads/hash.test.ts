// The pod-template hash must be upstream's byte for byte: Deployment and ReplicaSet names
// (`nginx-676b6c5bbc`) come from it. Pinned against names real clusters printed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeHash,
  fnv32a,
  safeEncodeString,
  templateHashInput,
} from '../../../src/controllers/common/hash.js';
import { podSecurityContextFields } from '../../../src/controllers/common/go-types.js';
import { quantityParts } from '../../../src/controllers/common/go-quantity.js';

/** The template `kubectl create deployment nginx --image=nginx [--port=80]` stores, defaulted. */
const nginx = (port: boolean) => ({
  metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
  spec: {
    containers: [
      {
        image: 'nginx',
        imagePullPolicy: 'Always',
        name: 'nginx',
        ...(port ? { ports: [{ containerPort: 80, protocol: 'TCP' }] } : {}),
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  },
});

describe('pod-template hash (controller.ComputeHash)', () => {
  it('gives kubectl create deployment nginx --image=nginx the name v1.31 clusters show: nginx-676b6c5bbc', () => {
    assert.equal(computeHash(nginx(false)), '676b6c5bbc');
  });

  it('renders exactly what go-spew prints: the same code with v1.29 PodSecurityContext fields gives 1.29 names', () => {
    // 1.29 lacked PodSecurityContext.supplementalGroupsPolicy (1.31) and appArmorProfile (1.30);
    // clusters of that time named these deployments nginx-7854ff8877 and nginx-7c5ddbdf54
    const saved = [...podSecurityContextFields];
    try {
      podSecurityContextFields.splice(
        0,
        podSecurityContextFields.length,
        ...saved.filter(([name]) => name !== 'SupplementalGroupsPolicy' && name !== 'AppArmorProfile'),
      );
      assert.equal(computeHash(nginx(false)), '7854ff8877');
      assert.equal(computeHash(nginx(true)), '7c5ddbdf54');
    } finally {
      podSecurityContextFields.splice(0, podSecurityContextFields.length, ...saved);
    }
  });

  it('changes with the collision count and with the template', () => {
    const base = computeHash(nginx(false));
    assert.notEqual(computeHash(nginx(false), 0), base);
    assert.notEqual(computeHash(nginx(false), 1), computeHash(nginx(false), 0));
    assert.notEqual(computeHash(nginx(true)), base);
  });

  it('prints nil pointers with their type, nil slices and maps as <nil>, set pointers with their value', () => {
    const text = templateHashInput(nginx(false));
    assert.match(
      text,
      /^\(v1\.PodTemplateSpec\)\{ObjectMeta:\(v1\.ObjectMeta\)\{Name:\(string\) GenerateName/,
    );
    assert.match(
      text,
      / Labels:\(map\[string\]string\)map\[app:nginx\] Annotations:\(map\[string\]string\)<nil> /,
    );
    assert.match(
      text,
      / TerminationGracePeriodSeconds:\(\*int64\)30 ActiveDeadlineSeconds:\(\*int64\)<nil> /,
    );
    assert.match(text, /\{Limits:\(v1\.ResourceList\)<nil> /);
  });

  it('renders quantities with their parsed insides and canonical cache', () => {
    assert.deepEqual(quantityParts('500m'), { value: 500n, scale: -3, format: 'DecimalSI', cached: '500m' });
    assert.deepEqual(quantityParts('128Mi'), { value: 134217728n, scale: 0, format: 'BinarySI', cached: '' });
    assert.deepEqual(quantityParts('1Gi'), {
      value: 1073741824n,
      scale: 0,
      format: 'BinarySI',
      cached: '1Gi',
    });
    assert.deepEqual(quantityParts('0'), { value: 0n, scale: 0, format: 'DecimalSI', cached: '' });
  });

  it('uses FNV-32a and SafeEncodeString as upstream', () => {
    assert.equal(fnv32a(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv32a(Buffer.from('a')), 0xe40c292c);
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });
});
