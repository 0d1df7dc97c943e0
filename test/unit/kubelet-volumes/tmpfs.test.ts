// The size of memory-backed volumes, as upstream's calculateEmptyDirMemorySize.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryVolumeSize, podMemoryLimit } from '../../../src/kubelet/volumes/tmpfs.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const Mi = 1024n * 1024n;
const withLimits = (main: (string | undefined)[], init: (string | undefined)[] = []): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: main.map((m, i) => ({ name: `c${i}`, resources: m ? { limits: { memory: m } } : {} })),
      initContainers: init.map((m, i) => ({ name: `i${i}`, resources: m ? { limits: { memory: m } } : {} })),
    },
  }) as Pod;

describe('memory-backed volume size', () => {
  it('the pod limit is the containers sum, at least the largest init container, only when all have one', () => {
    assert.equal(podMemoryLimit(withLimits(['64Mi', '32Mi'])), 96n * Mi);
    assert.equal(podMemoryLimit(withLimits(['64Mi'], ['128Mi'])), 128n * Mi);
    assert.equal(podMemoryLimit(withLimits(['64Mi', undefined])), undefined);
  });

  it('allocatable, lowered by the pod limit, lowered by a smaller sizeLimit', () => {
    const node = 1024n * Mi;
    assert.equal(memoryVolumeSize(withLimits([undefined]), undefined, node), node);
    assert.equal(memoryVolumeSize(withLimits(['64Mi']), undefined, node), 64n * Mi);
    assert.equal(memoryVolumeSize(withLimits(['64Mi']), '16Mi', node), 16n * Mi);
    assert.equal(memoryVolumeSize(withLimits(['64Mi']), '1Gi', node), 64n * Mi);
    assert.equal(memoryVolumeSize(withLimits([undefined]), '2Gi', node), node);
  });
});
