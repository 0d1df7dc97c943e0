// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding through the real kubectl: a
// policy over ConfigMaps with a message, a messageExpression and a variable, bound with Deny and
// with Warn; a binding's matchResources narrows it; an expression that does not compile is
// refused at write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

const policy = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'small-configmaps.example.com' },
  spec: {
    matchConstraints: {
      resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] },
      ],
    },
    variables: [{ name: 'keys', expression: 'has(object.data) ? object.data.size() : 0' }],
    validations: [
      {
        expression: 'variables.keys <= 2',
        messageExpression: "'at most 2 keys, got ' + string(variables.keys)",
      },
      {
        expression: "!has(object.data) || !('password' in object.data)",
        message: 'no passwords in ConfigMaps',
        reason: 'Forbidden',
      },
      { expression: "object.metadata.name != 'bad-name'" },
    ],
  },
};
const binding = (name: string, actions: string[], matchResources?: Record<string, unknown>) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: {
    policyName: policy.metadata.name,
    validationActions: actions,
    ...(matchResources ? { matchResources } : {}),
  },
});

describe('ValidatingAdmissionPolicy', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    await s.kubectl(['create', 'namespace', 'strict']);
    await s.kubectl(['label', 'namespace', 'strict', 'policy=deny']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('stores policies and bindings with defaults, printed by kubectl get', async () => {
    let r = await s.kubectl(['apply', '-f', '-'], JSON.stringify(policy));
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      'get',
      'validatingadmissionpolicy',
      policy.metadata.name,
      '-o',
      'jsonpath={.spec.failurePolicy} {.spec.matchConstraints.matchPolicy} {.spec.matchConstraints.resourceRules[0].scope}',
    ]);
    assert.equal(r.stdout, 'Fail Equivalent *');
    r = await s.kubectl(['get', 'validatingadmissionpolicies']);
    assert.match(
      r.stdout,
      /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\nsmall-configmaps\.example\.com\s+3\s+<unset>\s+/,
    );
  });

  it('denies through a Deny binding with upstream message and reason', async () => {
    let r = await s.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        binding('deny-strict', ['Deny'], { namespaceSelector: { matchLabels: { policy: 'deny' } } }),
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      '-n',
      'strict',
      'create',
      'configmap',
      'big',
      '--from-literal=a=1',
      '--from-literal=b=2',
      '--from-literal=c=3',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `error: failed to create configmap: configmaps "big" is forbidden: ValidatingAdmissionPolicy 'small-configmaps.example.com' with binding 'deny-strict' denied request: at most 2 keys, got 3`,
    );
    const res = await s.api(
      'POST',
      '/api/v1/namespaces/strict/configmaps',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'pw' },
        data: { password: 'x' },
      }),
    );
    assert.equal(res.status, 403);
    const status = JSON.parse(res.body) as { reason: string; message: string };
    assert.equal(status.reason, 'Forbidden');
    assert.equal(
      status.message,
      `configmaps "pw" is forbidden: ValidatingAdmissionPolicy 'small-configmaps.example.com' with binding 'deny-strict' denied request: no passwords in ConfigMaps`,
    );
    r = await s.kubectl(['-n', 'strict', 'create', 'configmap', 'bad-name']);
    assert.match(r.stderr, /denied request: failed expression: object\.metadata\.name != 'bad-name'$/m);
    const invalid = await s.api(
      'POST',
      '/api/v1/namespaces/strict/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad-name' } }),
    );
    assert.equal(invalid.status, 422, 'reason Invalid by default');
    // matchResources: other namespaces are not bound with Deny
    r = await s.kubectl([
      '-n',
      'default',
      'create',
      'configmap',
      'big',
      '--from-literal=a=1',
      '--from-literal=b=2',
      '--from-literal=c=3',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'strict', 'create', 'configmap', 'fine', '--from-literal=a=1']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('warns through a Warn binding', async () => {
    let r = await s.kubectl(['apply', '-f', '-'], JSON.stringify(binding('warn-all', ['Warn'])));
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'default', 'create', 'configmap', 'warned', '--from-literal=password=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /Warning: Validation failed for ValidatingAdmissionPolicy 'small-configmaps\.example\.com' with binding 'warn-all': no passwords in ConfigMaps/,
    );
  });

  it('refuses a policy whose expression does not compile', async () => {
    const bad = {
      ...policy,
      metadata: { name: 'bad.example.com' },
      spec: { ...policy.spec, validations: [{ expression: 'object.spec.replicas <' }] },
    };
    const r = await s.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The ValidatingAdmissionPolicy "bad\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <": compilation failed: ERROR: <input>:1:\d+: Syntax error: /,
    );
  });
});
