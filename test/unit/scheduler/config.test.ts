// KubeSchedulerConfiguration as k8ts reads it, and the errors for malformed ones.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { profilesFromConfig } from '../../../src/scheduler/config.js';

const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

describe('scheduler --config', () => {
  it('reads profiles, score weights, disabled plugins and the scoring strategy', () => {
    const profiles = profilesFromConfig(
      head +
        `profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      enabled: [{name: NodeResourcesFit, weight: 5}]
      disabled: [{name: ImageLocality}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
`,
    );
    assert.equal(profiles.length, 2);
    assert.equal(profiles[1].schedulerName, 'packer');
    assert.deepEqual(profiles[1].weights, { NodeResourcesFit: 5 });
    assert.deepEqual(profiles[1].disabled, ['ImageLocality']);
    assert.equal(profiles[1].scoringStrategy, 'MostAllocated');
  });
  it('names the file and field of what is wrong', () => {
    assert.throws(
      () => profilesFromConfig('kind: Nope', 'c.yaml'),
      /^Error: c\.yaml: want apiVersion kubescheduler\.config\.k8s\.io\/v1/,
    );
    assert.throws(() => profilesFromConfig('{', 'c.yaml'), /c\.yaml: not YAML/);
    assert.throws(
      () => profilesFromConfig(head + 'profiles: [{schedulerName: a}, {schedulerName: a}]', 'c.yaml'),
      /profiles\[1\]\.schedulerName: Duplicate value: "a"/,
    );
    assert.throws(
      () =>
        profilesFromConfig(
          head +
            'profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Random}}}]}]',
          'c.yaml',
        ),
      /scoringStrategy\.type: Unsupported value: "Random": supported values: "LeastAllocated", "MostAllocated"/,
    );
    assert.throws(
      () =>
        profilesFromConfig(
          head + 'profiles: [{plugins: {score: {enabled: [{name: X, weight: -1}]}}}]',
          'c.yaml',
        ),
      /weight: must be a non-negative integer/,
    );
  });
});
