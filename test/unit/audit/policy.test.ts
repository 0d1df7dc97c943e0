// Audit policy evaluation as upstream's checker, on the seed's full policy (004 §2.2.5, M-11),
// and policy validation with upstream's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, parsePolicy, type AuditAttributes } from '../../../src/apiserver/audit/policy.js';

const SEED_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - "RequestReceived"
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*"
    - "/version"
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "RequestReceived"
`;

const user = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const res = (o: Partial<AuditAttributes>): AuditAttributes => ({
  user,
  verb: 'get',
  resourceRequest: true,
  group: '',
  resource: 'pods',
  subresource: '',
  namespace: 'default',
  name: '',
  path: '/api/v1/namespaces/default/pods',
  ...o,
});
const nonRes = (path: string, u = user): AuditAttributes => ({
  user: u,
  verb: 'get',
  resourceRequest: false,
  group: '',
  resource: '',
  subresource: '',
  namespace: '',
  name: '',
  path,
});

const policy = parsePolicy(SEED_POLICY);
const level = (a: AuditAttributes) => evaluatePolicy(policy, a).level;

test('the seed policy: the first matching rule sets the level', () => {
  assert.equal(level(res({ verb: 'create' })), 'RequestResponse');
  assert.equal(level(res({ subresource: 'log' })), 'Metadata');
  assert.equal(level(res({ subresource: 'status', verb: 'update' })), 'Metadata');
  assert.equal(level(res({ resource: 'configmaps', name: 'controller-leader', verb: 'update' })), 'None');
  assert.equal(level(res({ resource: 'configmaps', name: 'other', namespace: 'kube-system' })), 'Request');
  assert.equal(level(res({ resource: 'configmaps', name: 'other', namespace: 'default' })), 'Metadata');
  assert.equal(level(res({ resource: 'secrets' })), 'Metadata');
  assert.equal(level(res({ resource: 'services' })), 'Request');
  assert.equal(level(res({ group: 'apps', resource: 'deployments' })), 'Metadata');
});

test('the seed policy: kube-proxy watches and authenticated discovery are not logged', () => {
  const proxy = { name: 'system:kube-proxy', groups: ['system:authenticated'] };
  assert.equal(level(res({ user: proxy, verb: 'watch', resource: 'endpoints' })), 'None');
  assert.equal(level(res({ user: proxy, verb: 'list', resource: 'endpoints' })), 'Request');
  assert.equal(level(nonRes('/apis/apps/v1')), 'None');
  assert.equal(level(nonRes('/version')), 'None');
  assert.equal(level(nonRes('/healthz')), 'Metadata');
  assert.equal(
    level(nonRes('/version', { name: 'system:anonymous', groups: ['system:unauthenticated'] })),
    'Metadata',
  );
});

test('policy omitStages apply to every rule, merged with the rule’s own', () => {
  assert.deepEqual(evaluatePolicy(policy, res({})).omitStages, ['RequestReceived']);
});

test('no matching rule means level None', () => {
  const p = parsePolicy(
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  verbs: [delete]\n',
  );
  assert.equal(evaluatePolicy(p, res({})).level, 'None');
  assert.equal(evaluatePolicy(p, res({ verb: 'delete' })).level, 'Metadata');
});

test('resource wildcards: "*", "*/status" and "pods/*"; resourceNames narrow', () => {
  const p = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Request
  resources: [{group: "", resources: ["*/status"]}]
- level: RequestResponse
  resources: [{group: "", resources: ["pods/*"]}]
- level: Metadata
  resources: [{group: "apps", resources: ["deployments"], resourceNames: ["web"]}]
`);
  assert.equal(evaluatePolicy(p, res({ resource: 'nodes', subresource: 'status' })).level, 'Request');
  assert.equal(evaluatePolicy(p, res({ subresource: 'exec' })).level, 'RequestResponse');
  // upstream's checker: "pods/*" matches pods itself as well as every subresource
  assert.equal(evaluatePolicy(p, res({ subresource: '' })).level, 'RequestResponse');
  assert.equal(evaluatePolicy(p, res({ resource: 'services' })).level, 'None');
  assert.equal(
    evaluatePolicy(p, res({ group: 'apps', resource: 'deployments', name: 'web' })).level,
    'Metadata',
  );
  assert.equal(evaluatePolicy(p, res({ group: 'apps', resource: 'deployments', name: 'db' })).level, 'None');
});

test('omitManagedFields: the rule overrides the policy', () => {
  const p = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
- level: Request
  verbs: [create]
  omitManagedFields: false
- level: Request
`);
  assert.equal(evaluatePolicy(p, res({ verb: 'create' })).omitManagedFields, false);
  assert.equal(evaluatePolicy(p, res({ verb: 'update' })).omitManagedFields, true);
});

const reject = (text: string, message: string) =>
  assert.throws(
    () => parsePolicy(text, 'file p.yaml'),
    (e: Error) => {
      assert.ok(e.message.includes(message), e.message);
      return true;
    },
  );
const head = 'apiVersion: audit.k8s.io/v1\nkind: Policy\n';

test('a policy with zero rules is illegal', () => {
  reject(head + 'rules: []\n', 'loaded illegal policy with 0 rules from file p.yaml');
});

test('bad levels, stages and rule shapes are refused with upstream messages', () => {
  reject(
    head + 'rules:\n- level: Everything\n',
    'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
  );
  reject(head + 'rules:\n- verbs: [get]\n', 'rules[0].level: Required value');
  reject(
    head + 'rules:\n- level: None\n  omitStages: [Sometimes]\n',
    'rules[0].omitStages[0]: Unsupported value: "Sometimes": supported values: "RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"',
  );
  reject(
    head + 'rules:\n- level: None\n  nonResourceURLs: [/x]\n  resources: [{group: ""}]\n',
    'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
  );
  reject(
    head + 'rules:\n- level: None\n  nonResourceURLs: [healthz]\n',
    "non-resource URL rules must begin with a '/' character",
  );
  reject(
    head + 'rules:\n- level: None\n  nonResourceURLs: ["/a*/b"]\n',
    "wildcards '*' must be the final character",
  );
  reject(
    'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: []\n',
    'no kind "Policy" is registered for version "audit.k8s.io/v1beta1"',
  );
});
