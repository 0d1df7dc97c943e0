// ValidatingAdmissionPolicy with params, the Audit action, auditAnnotations and the authorizer
// library through the real kubectl: a policy with paramKind ConfigMap bound by name (with
// parameterNotFoundAction Deny) and by selector (Allow), upstream's messages for missing params
// and an unknown paramKind, validation failures and auditAnnotations on the audit log's events,
// and an `authorizer` check answered by RBAC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [configmaps, secrets]}]
`;

const V1 = 'admissionregistration.k8s.io/v1';
const rules = (resources: string[]) => [
  { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources },
];
const apply = (s: TestServer, obj: unknown) => s.kubectl(['apply', '-f', '-'], JSON.stringify(obj));

const maxKeys = {
  apiVersion: V1,
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'max-keys.example.com' },
  spec: {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: rules(['secrets']) },
    validations: [
      {
        expression: '!has(object.data) || object.data.size() <= int(params.data.maxKeys)',
        messageExpression: "'at most ' + params.data.maxKeys + ' keys'",
      },
    ],
  },
};

interface AuditEvent {
  stage: string;
  verb: string;
  objectRef?: { resource?: string; namespace?: string; name?: string };
  annotations?: Record<string, string>;
}

describe('ValidatingAdmissionPolicy: params, Audit, auditAnnotations, authorizer', () => {
  let s: TestServer;
  let logPath: string;

  async function createEvent(namespace: string, name: string): Promise<Record<string, string>> {
    // the audit log is written after the response; wait for the event to be flushed
    for (let i = 0; ; i++) {
      const events = existsSync(logPath)
        ? readFileSync(logPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as AuditEvent)
        : [];
      const ev = events.find(
        (e) =>
          e.stage === 'ResponseComplete' &&
          e.verb === 'create' &&
          e.objectRef?.namespace === namespace &&
          e.objectRef?.name === name,
      );
      if (ev) return ev.annotations ?? {};
      if (i > 150) throw new Error(`no audit event for creating ${namespace}/${name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-vap-'));
    writeFileSync(join(dir, 'audit.yaml'), AUDIT_POLICY);
    logPath = join(dir, 'audit.log');
    s = await startServer([
      '--disable-controller-manager',
      '--audit-policy-file',
      join(dir, 'audit.yaml'),
      '--audit-log-path',
      logPath,
    ]);
    for (const ns of ['params', 'limited', 'selected', 'audited', 'authz'])
      assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('paramRef by name with Deny: refused until the param exists, then the param decides', async () => {
    let r = await apply(s, maxKeys);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['get', 'validatingadmissionpolicies']);
    assert.match(r.stdout, /max-keys\.example\.com\s+1\s+v1\/ConfigMap\s+/);
    r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'max-keys' },
      spec: {
        policyName: maxKeys.metadata.name,
        validationActions: ['Deny'],
        paramRef: { name: 'limits', namespace: 'params', parameterNotFoundAction: 'Deny' },
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'limited' } } },
      },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['get', 'validatingadmissionpolicybindings', 'max-keys']);
    assert.match(r.stdout, /max-keys\s+max-keys\.example\.com\s+params\/limits\s+/);
    r = await s.kubectl(['-n', 'limited', 'create', 'secret', 'generic', 's1', '--from-literal=a=1']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      "error: failed to create secret secrets \"s1\" is forbidden: ValidatingAdmissionPolicy 'max-keys.example.com' with binding 'max-keys' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
    r = await s.kubectl(['-n', 'params', 'create', 'configmap', 'limits', '--from-literal=maxKeys=2']);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'limited', 'create', 'secret', 'generic', 's1', '--from-literal=a=1']);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      '-n',
      'limited',
      'create',
      'secret',
      'generic',
      's2',
      '--from-literal=a=1',
      '--from-literal=b=2',
      '--from-literal=c=3',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /with binding 'max-keys' denied request: at most 2 keys$/m);
  });

  it('paramRef by selector in the request namespace: each param is checked, none found is allowed', async () => {
    const r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'max-keys-selected' },
      spec: {
        policyName: maxKeys.metadata.name,
        validationActions: ['Deny'],
        paramRef: { selector: { matchLabels: { limit: 'keys' } }, parameterNotFoundAction: 'Allow' },
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'selected' } } },
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const three = ['--from-literal=a=1', '--from-literal=b=2', '--from-literal=c=3'];
    let c = await s.kubectl(['-n', 'selected', 'create', 'secret', 'generic', 'before', ...three]);
    assert.equal(c.code, 0, c.stderr);
    await s.kubectl(['-n', 'selected', 'create', 'configmap', 'loose', '--from-literal=maxKeys=5']);
    await s.kubectl(['-n', 'selected', 'create', 'configmap', 'tight', '--from-literal=maxKeys=1']);
    await s.kubectl(['-n', 'selected', 'label', 'configmap', 'loose', 'tight', 'limit=keys']);
    c = await s.kubectl(['-n', 'selected', 'create', 'secret', 'generic', 'after', ...three]);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /with binding 'max-keys-selected' denied request: at most 1 keys$/m);
  });

  it('an unknown paramKind fails the policy per failurePolicy, with upstream text', async () => {
    let r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'unknown-kind.example.com' },
      spec: {
        paramKind: { apiVersion: 'example.com/v1', kind: 'Missing' },
        matchConstraints: {
          resourceRules: rules(['configmaps']),
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'authz' } },
        },
        validations: [{ expression: 'true' }],
      },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'unknown-kind' },
      spec: {
        policyName: 'unknown-kind.example.com',
        validationActions: ['Deny'],
        paramRef: { name: 'x', parameterNotFoundAction: 'Allow' },
      },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'configmap', 'c1']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      "error: failed to create configmap: configmaps \"c1\" is forbidden: ValidatingAdmissionPolicy 'unknown-kind.example.com' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Missing'",
    );
    // failurePolicy Ignore lets it through
    r = await s.kubectl([
      'patch',
      'validatingadmissionpolicy',
      'unknown-kind.example.com',
      '--type=merge',
      '-p',
      '{"spec":{"failurePolicy":"Ignore"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'configmap', 'c1']);
    assert.equal(r.code, 0, r.stderr);
    // the status follows the spec's generation; ConfigMap has no field `nope`
    r = await s.kubectl([
      'patch',
      'validatingadmissionpolicy',
      'unknown-kind.example.com',
      '--type=merge',
      '-p',
      '{"spec":{"validations":[{"expression":"object.nope == 1"}]}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      'get',
      'validatingadmissionpolicy',
      'unknown-kind.example.com',
      '-o',
      'jsonpath={.metadata.generation} {.status.observedGeneration} {.status.typeChecking.expressionWarnings[0].fieldRef}: {.status.typeChecking.expressionWarnings[0].warning}',
    ]);
    assert.equal(
      r.stdout,
      "3 3 spec.validations[0].expression: /v1, Kind=ConfigMap: ERROR: <input>:1:7: undefined field 'nope'\n | object.nope == 1\n | ......^\n",
    );
  });

  it('Audit records the failure and auditAnnotations land on the audit event', async () => {
    let r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'audited.example.com' },
      spec: {
        matchConstraints: {
          resourceRules: rules(['configmaps']),
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'audited' } },
        },
        validations: [
          { expression: "object.metadata.name.startsWith('ok-')", message: 'names start with ok-' },
        ],
        auditAnnotations: [
          { key: 'created-by', valueExpression: "'user ' + request.userInfo.username" },
          { key: 'skipped', valueExpression: 'null' },
        ],
      },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'audited' },
      spec: { policyName: 'audited.example.com', validationActions: ['Audit'] },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'audited', 'create', 'configmap', 'bad']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'Audit neither refuses nor warns');
    const annotations = await createEvent('audited', 'bad');
    assert.deepEqual(
      JSON.parse(annotations['validation.policy.admission.k8s.io/validation_failure'] ?? 'null'),
      [
        {
          message: 'names start with ok-',
          policy: 'audited.example.com',
          binding: 'audited',
          expressionIndex: 0,
          validationActions: ['Audit'],
        },
      ],
    );
    assert.equal(annotations['audited.example.com/created-by'], 'user system:admin');
    assert.equal(annotations['audited.example.com/skipped'], undefined, 'null values are not published');
    r = await s.kubectl(['-n', 'audited', 'create', 'configmap', 'ok-1']);
    assert.equal(r.code, 0, r.stderr);
    const okAnnotations = await createEvent('audited', 'ok-1');
    assert.equal(okAnnotations['validation.policy.admission.k8s.io/validation_failure'], undefined);
    assert.equal(okAnnotations['audited.example.com/created-by'], 'user system:admin');
  });

  it('authorizer checks are answered by RBAC', async () => {
    let r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'sa-may-list.example.com' },
      spec: {
        matchConstraints: {
          resourceRules: rules(['secrets']),
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'authz' } },
        },
        validations: [
          {
            expression:
              "authorizer.serviceAccount('authz', 'reader').group('').resource('secrets').namespace('authz').check('list').allowed()",
            messageExpression:
              "'reader may not list secrets: ' + authorizer.serviceAccount('authz', 'reader').group('').resource('secrets').namespace('authz').check('list').reason()",
          },
          { expression: "authorizer.requestResource.check('create').allowed()" },
        ],
      },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'sa-may-list' },
      spec: { policyName: 'sa-may-list.example.com', validationActions: ['Deny'] },
    });
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'secret', 'generic', 'x1']);
    assert.equal(r.code, 1);
    // RBAC has no opinion and gives no reason (the message is trimmed, as upstream's)
    assert.match(r.stderr, /with binding 'sa-may-list' denied request: reader may not list secrets:$/m);
    r = await s.kubectl([
      '-n',
      'authz',
      'create',
      'role',
      'list-secrets',
      '--verb=list',
      '--resource=secrets',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      '-n',
      'authz',
      'create',
      'rolebinding',
      'reader',
      '--role=list-secrets',
      '--serviceaccount=authz:reader',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'secret', 'generic', 'x1']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses malformed paramRef, paramKind and auditAnnotations with upstream field paths', async () => {
    let r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'bad-ref' },
      spec: {
        policyName: maxKeys.metadata.name,
        validationActions: ['Deny'],
        paramRef: { name: 'a', selector: {} },
      },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.paramRef\.name: Forbidden: name and selector are mutually exclusive/);
    assert.match(r.stderr, /spec\.paramRef\.parameterNotFoundAction: Required value/);
    r = await apply(s, {
      apiVersion: V1,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'bad-audit.example.com' },
      spec: {
        matchConstraints: { resourceRules: rules(['configmaps']) },
        auditAnnotations: [
          { key: 'a', valueExpression: "'x'" },
          { key: 'a', valueExpression: '' },
        ],
        validations: [{ expression: 'params.x == 1' }],
      },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec\.auditAnnotations\[1\]\.key: Duplicate value: "a"/);
    assert.match(
      r.stderr,
      /spec\.auditAnnotations\[1\]\.valueExpression: Required value: valueExpression is not specified/,
    );
    // without a paramKind, `params` is not declared
    assert.match(
      r.stderr,
      /spec\.validations\[0\]\.expression: Invalid value: "params\.x == 1": compilation failed: ERROR: <input>:1:1: undeclared reference to 'params'/,
    );
  });
});
