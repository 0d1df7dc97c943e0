// --runtime-config parsing and selection with upstream's precedence (api/all < api/ga|beta|alpha
// < group/version < group/version/resource) and error texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuntimeConfig, runtimeConfig } from '../../../src/apiserver/runtime-config.js';
import { allStrategies } from '../../../src/apiserver/registry/index.js';

const served = (flag: string) => {
  const rc = runtimeConfig(parseRuntimeConfig(flag), allStrategies);
  return new Set(
    allStrategies.filter((s) => rc.serves(s)).map((s) => `${s.group}/${s.version}/${s.resource}`),
  );
};

describe('--runtime-config', () => {
  it('serves every GA version by default', () => {
    // the Metrics API (v1beta1) is aggregated upstream and exempt from --runtime-config (server.ts)
    const ga = allStrategies.filter((s) => /^v\d+$/.test(s.version));
    assert.equal(served('').size, ga.length);
    assert.deepEqual(
      allStrategies.filter((s) => !ga.includes(s)).map((s) => s.group),
      ['metrics.k8s.io', 'metrics.k8s.io'],
    );
  });

  it('disables a group version, or one resource of it', () => {
    const s = served('batch/v1=false,apps/v1/deployments=false');
    assert.ok(!s.has('batch/v1/jobs') && !s.has('batch/v1/cronjobs'));
    assert.ok(!s.has('apps/v1/deployments'));
    assert.ok(s.has('apps/v1/statefulsets') && s.has('/v1/pods'));
  });

  it('api/all=false with explicit re-enables; the core group as v1 or api/v1', () => {
    const s = served('api/all=false,api/v1=true,batch/v1,apps/v1/deployments=true');
    assert.ok(s.has('/v1/pods') && s.has('batch/v1/jobs') && s.has('apps/v1/deployments'));
    assert.ok(!s.has('apps/v1/statefulsets') && !s.has('rbac.authorization.k8s.io/v1/roles'));
    assert.deepEqual(
      [...served('api/all=false,v1=true')].every((k) => k.startsWith('/v1/')),
      true,
    );
    assert.ok(served('api/all=false,api/all=true').has('apps/v1/deployments'));
    assert.ok(!served('api/ga=false').has('/v1/pods'));
    assert.equal(served('api/beta=true,api/alpha=false').size, allStrategies.length);
  });

  it('ignores groups it does not have and refuses what upstream refuses', () => {
    assert.equal(served('metrics.k8s.io/v1beta1=true').size, allStrategies.length);
    assert.throws(() => served('api/all=maybe'), /^Error: invalid value api\/all=maybe$/);
    assert.throws(
      () => served('apps/v9=true'),
      /^Error: group version apps\/v9 that has not been registered$/,
    );
    assert.throws(
      () => served('batch/v1=perhaps'),
      /^Error: invalid value of batch\/v1: perhaps, err: strconv.ParseBool: parsing "perhaps": invalid syntax$/,
    );
    assert.throws(
      () => served('apps/v1/Deployments=false'),
      /invalid key apps\/v1\/Deployments: group\/version\/resource and resource is always lowercase plural, not "Deployments"/,
    );
  });
});
