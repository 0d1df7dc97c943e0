// ValidatingAdmissionPolicy over real stores: params (paramKind/paramRef) with upstream's
// configuration errors (policy_dispatcher.go's CollectParams texts, the paramKind resolution
// error of policy_source.go), the Audit action's validation_failure annotation, auditAnnotations
// (published as "<policy>/<key>", null excluded, errors and wrong types per failurePolicy), and
// matchPolicy Equivalent (an autoscaling/v1 policy sees v2 requests converted to v1).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, type Cluster } from './fixture.js';
import { validatingAdmissionPolicy } from '../../../src/apiserver/admission/policy/plugin.js';
import { equivalentResources } from '../../../src/apiserver/admission/webhook/equivalent.js';
import type { AdmissionRequest } from '../../../src/apiserver/admission/types.js';
import type { KubeObject } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';

const G = 'admissionregistration.k8s.io';
let seq = 0;

function request(c: Cluster, over: Partial<AdmissionRequest> = {}) {
  const annotations: Record<string, string> = {};
  const ctx = { ...c.ctx('ns'), addAuditAnnotation: (k: string, v: string) => void (annotations[k] ??= v) };
  const req: AdmissionRequest = {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'configmaps',
    subresource: '',
    kind: 'ConfigMap',
    namespace: 'ns',
    name: 'cm',
    object: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'ns' },
      data: { a: '1' },
    },
    oldObject: undefined,
    user: ctx.user,
    dryRun: false,
    ctx,
    ...over,
  };
  return { req, annotations, warnings: ctx.warnings };
}

describe('ValidatingAdmissionPolicy: params, Audit, auditAnnotations, Equivalent', () => {
  let c: Cluster;
  const created: KubeObject[] = [];
  before(async () => {
    c = await cluster(() => []);
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'params' } });
  });
  after(() => c.close());

  /** Stores a policy and a binding (removing those of the previous case) and returns the plugin's verdict. */
  async function verdict(
    policySpec: Record<string, unknown>,
    bindingSpec: Record<string, unknown>,
    over: Partial<AdmissionRequest> = {},
  ) {
    for (const o of created.splice(0)) {
      const st = c.store(
        o.kind === 'ValidatingAdmissionPolicy'
          ? 'validatingadmissionpolicies'
          : 'validatingadmissionpolicybindings',
        G,
      );
      await st.delete('', o.metadata.name!, c.ctx(), {});
    }
    const name = `p${++seq}.example.com`;
    const rules = [
      { apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['configmaps', 'namespaces'] },
    ];
    created.push(
      await c.create(
        'validatingadmissionpolicies',
        {
          apiVersion: `${G}/v1`,
          kind: 'ValidatingAdmissionPolicy',
          metadata: { name },
          spec: { matchConstraints: { resourceRules: rules }, ...policySpec },
        },
        '',
        G,
      ),
    );
    created.push(
      await c.create(
        'validatingadmissionpolicybindings',
        {
          apiVersion: `${G}/v1`,
          kind: 'ValidatingAdmissionPolicyBinding',
          metadata: { name: `b${seq}` },
          spec: { policyName: name, validationActions: ['Deny'], ...bindingSpec },
        },
        '',
        G,
      ),
    );
    const r = request(c, over);
    let error: StatusError | undefined;
    try {
      await validatingAdmissionPolicy(c.deps).validate!(r.req);
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      error = err;
    }
    return { name, binding: `b${seq}`, error, annotations: r.annotations, warnings: r.warnings };
  }

  const cmParams = { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } };
  const maxKeys = [
    {
      expression: 'size(object.data) <= int(params.data.max)',
      messageExpression: "'max ' + params.data.max",
    },
  ];

  it('an unknown paramKind is a policy configuration error', async () => {
    const v = await verdict(
      { paramKind: { apiVersion: 'example.com/v1', kind: 'Nope' }, validations: [{ expression: 'true' }] },
      { paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } },
    );
    assert.equal(v.error?.code, 422);
    assert.equal(
      v.error?.message,
      `configmaps "cm" is forbidden: ValidatingAdmissionPolicy '${v.name}' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Nope'`,
    );
    const ignored = await verdict(
      {
        failurePolicy: 'Ignore',
        paramKind: { apiVersion: 'example.com/v1', kind: 'Nope' },
        validations: [{ expression: 'true' }],
      },
      { paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } },
    );
    assert.equal(ignored.error, undefined);
  });

  it('parameterNotFoundAction: Deny refuses, Allow admits', async () => {
    const denied = await verdict(
      { ...cmParams, validations: maxKeys },
      { paramRef: { name: 'missing', parameterNotFoundAction: 'Deny' } },
    );
    assert.equal(
      denied.error?.message,
      `configmaps "cm" is forbidden: ValidatingAdmissionPolicy '${denied.name}' with binding '${denied.binding}' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`,
    );
    const allowed = await verdict(
      { ...cmParams, validations: maxKeys },
      { paramRef: { name: 'missing', parameterNotFoundAction: 'Allow' } },
    );
    assert.equal(allowed.error, undefined);
  });

  it('namespaces of params: the request namespace by default, none for cluster-scoped kinds', async () => {
    await c.create(
      'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits' }, data: { max: '0' } },
      'params',
    );
    const byNs = await verdict(
      { ...cmParams, validations: maxKeys },
      { paramRef: { name: 'limits', namespace: 'params', parameterNotFoundAction: 'Deny' } },
    );
    assert.match(byNs.error?.message ?? '', /denied request: max 0$/);
    const clusterReq = await verdict(
      { ...cmParams, validations: maxKeys },
      { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } },
      {
        resource: 'namespaces',
        kind: 'Namespace',
        namespace: '',
        name: 'n1',
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1' } },
      },
    );
    assert.match(
      clusterReq.error?.message ?? '',
      /failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources$/,
    );
    const clusterKind = await verdict(
      { paramKind: { apiVersion: 'v1', kind: 'Namespace' }, validations: [{ expression: 'true' }] },
      { paramRef: { name: 'params', namespace: 'x', parameterNotFoundAction: 'Deny' } },
    );
    assert.match(
      clusterKind.error?.message ?? '',
      /failed to configure binding: paramRef\.namespace must not be provided for a cluster-scoped `paramKind`$/,
    );
    // a binding without paramRef evaluates with params null
    const noRef = await verdict({ ...cmParams, validations: [{ expression: 'params == null' }] }, {});
    assert.equal(noRef.error, undefined);
  });

  it('Audit records validation_failure; auditAnnotations are published as <policy>/<key>', async () => {
    const v = await verdict(
      {
        validations: [
          { expression: 'true' },
          { expression: "object.metadata.name == 'other'", message: 'wrong name' },
        ],
        auditAnnotations: [
          { key: 'who', valueExpression: 'request.userInfo.username' },
          { key: 'nothing', valueExpression: 'null' },
        ],
      },
      { validationActions: ['Audit', 'Warn'] },
    );
    assert.equal(v.error, undefined);
    assert.deepEqual(JSON.parse(v.annotations['validation.policy.admission.k8s.io/validation_failure']!), [
      {
        message: 'wrong name',
        policy: v.name,
        binding: v.binding,
        expressionIndex: 1,
        validationActions: ['Audit', 'Warn'],
      },
    ]);
    assert.equal(v.annotations[`${v.name}/who`], 'alice');
    assert.equal(`${v.name}/nothing` in v.annotations, false);
    assert.deepEqual(v.warnings, [
      `Validation failed for ValidatingAdmissionPolicy '${v.name}' with binding '${v.binding}': wrong name`,
    ]);
  });

  it('auditAnnotation errors and non-string values deny under Fail, are dropped under Ignore', async () => {
    const bad = await verdict(
      { auditAnnotations: [{ key: 'n', valueExpression: 'size(object.data)' }] },
      { validationActions: ['Audit'] },
    );
    assert.match(
      bad.error?.message ?? '',
      /denied request: valueExpression 'size\(object\.data\)' resulted in unsupported return type: int\. Return type must be either string or null\.$/,
    );
    const err = await verdict(
      { auditAnnotations: [{ key: 'n', valueExpression: 'object.nope' }] },
      { validationActions: ['Audit'] },
    );
    assert.match(
      err.error?.message ?? '',
      /denied request: valueExpression 'object\.nope' resulted in error: no such key: nope$/,
    );
    const ignored = await verdict(
      { failurePolicy: 'Ignore', auditAnnotations: [{ key: 'n', valueExpression: 'object.nope' }] },
      { validationActions: ['Audit'] },
    );
    assert.equal(ignored.error, undefined);
  });

  it('matchPolicy Equivalent: an autoscaling/v1 policy sees an autoscaling/v2 request as v1', async () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'ns' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    };
    const rules = [
      {
        apiGroups: ['autoscaling'],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['horizontalpodautoscalers'],
      },
    ];
    const check = [
      {
        expression:
          "request.kind.version == 'v1' && request.requestKind.version == 'v2' && request.resource.version == 'v1' && object.spec.targetCPUUtilizationPercentage == 70",
        message: 'seen as v2',
      },
      { expression: 'false', message: 'matched' },
    ];
    const req = {
      group: 'autoscaling',
      version: 'v2',
      resource: 'horizontalpodautoscalers',
      kind: 'HorizontalPodAutoscaler',
      name: 'web',
      object: hpa,
    };
    const eq = await verdict({ matchConstraints: { resourceRules: rules }, validations: check }, {}, req);
    assert.match(
      eq.error?.message ?? '',
      /^horizontalpodautoscalers\.autoscaling "web" is forbidden: .* denied request: matched$/,
    );
    const exact = await verdict(
      { matchConstraints: { resourceRules: rules, matchPolicy: 'Exact' }, validations: check },
      {},
      req,
    );
    assert.equal(exact.error, undefined);
  });

  it('status.typeChecking: expression warnings per explicitly named kind, as upstream words them', async () => {
    const p = await c.create(
      'validatingadmissionpolicies',
      {
        apiVersion: `${G}/v1`,
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'typed.example.com' },
        spec: {
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['*'],
                resources: ['deployments', 'deployments/scale'],
              },
            ],
          },
          validations: [
            { expression: 'object.spec.replicaz > 0' },
            {
              expression: 'object.spec.replicas > 0',
              messageExpression: "'got ' + string(object.spec.replicas)",
            },
          ],
        },
      },
      '',
      G,
    );
    assert.deepEqual(p.status, {
      observedGeneration: 1,
      typeChecking: {
        expressionWarnings: [
          {
            fieldRef: 'spec.validations[0].expression',
            warning:
              "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicaz'\n | object.spec.replicaz > 0\n | ...........^\n",
          },
        ],
      },
    });
    // wildcards are not checked
    const wild = await c.create(
      'validatingadmissionpolicies',
      {
        apiVersion: `${G}/v1`,
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'wild.example.com' },
        spec: {
          matchConstraints: {
            resourceRules: [
              { apiGroups: ['*'], apiVersions: ['v1'], operations: ['*'], resources: ['deployments'] },
            ],
          },
          validations: [{ expression: 'object.spec.replicaz > 0' }],
        },
      },
      '',
      G,
    );
    assert.deepEqual(wild.status, { observedGeneration: 1, typeChecking: {} });
  });

  it('equivalent resources: both HPA versions and both Event groups', async () => {
    const base = request(c).req;
    const of = async (group: string, version: string, resource: string) =>
      (await equivalentResources(c.deps, { ...base, group, version, resource })).map(
        (e) => `${e.group}/${e.version}/${e.resource}`,
      );
    assert.deepEqual(await of('autoscaling', 'v2', 'horizontalpodautoscalers'), [
      'autoscaling/v1/horizontalpodautoscalers',
    ]);
    assert.deepEqual(await of('autoscaling', 'v1', 'horizontalpodautoscalers'), [
      'autoscaling/v2/horizontalpodautoscalers',
    ]);
    assert.deepEqual(await of('', 'v1', 'events'), ['events.k8s.io/v1/events']);
    assert.deepEqual(await of('', 'v1', 'configmaps'), []);
  });

  it('equivalent resources of a custom resource: its other served versions, apiVersion converted', async () => {
    const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    await c.create(
      'customresourcedefinitions',
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            { name: 'v1', served: true, storage: false, schema },
            { name: 'v2', served: true, storage: true, schema },
            { name: 'v0', served: false, storage: false, schema },
          ],
        },
      },
      '',
      'apiextensions.k8s.io',
    );
    const base = request(c).req;
    const eqs = await equivalentResources(c.deps, {
      ...base,
      group: 'example.com',
      version: 'v2',
      resource: 'widgets',
      kind: 'Widget',
    });
    assert.deepEqual(
      eqs.map((e) => `${e.group}/${e.version}/${e.resource}/${e.kind}`),
      ['example.com/v1/widgets/Widget'],
    );
    const w = { apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } };
    assert.deepEqual(eqs[0]!.toVersion(w), { ...w, apiVersion: 'example.com/v1' });
    assert.deepEqual(eqs[0]!.fromVersion({ ...w, apiVersion: 'example.com/v1' }), w);
  });
});
