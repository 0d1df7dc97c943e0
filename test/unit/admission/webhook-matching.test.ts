// Which requests a webhook's rules, scope and selectors pick (upstream's rules.Matcher and
// the namespace/object matchers), as pure functions over an AdmissionRequest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isExemptResource,
  namespaceSelectorMatches,
  objectSelectorMatches,
  ruleMatches,
} from '../../../src/apiserver/admission/webhook/matching.js';
import type { AdmissionRequest } from '../../../src/apiserver/admission/types.js';
import type { Webhook } from '../../../src/apiserver/admission/webhook/types.js';
import { validateWebhooks } from '../../../src/apiserver/registry/admissionregistration/webhook-validation.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';

function req(over: Partial<AdmissionRequest>): AdmissionRequest {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: '',
    kind: 'Pod',
    namespace: 'default',
    name: 'p',
    object: { metadata: { name: 'p', labels: { app: 'web' } } },
    oldObject: undefined,
    user: { name: 'u', groups: [] },
    dryRun: false,
    ctx: {
      user: { name: 'u', groups: [] },
      dryRun: false,
      fieldManager: 'm',
      fieldValidation: 'Warn',
      userAgent: '',
      warnings: [],
    },
    ...over,
  };
}

const rule = (resources: string[], extra: Record<string, unknown> = {}) => ({
  operations: ['CREATE'],
  apiGroups: [''],
  apiVersions: ['v1'],
  resources,
  ...extra,
});

describe('webhook rules', () => {
  it("matches resources by name, '*', '*/*' and 'pods/*' as upstream", () => {
    assert.equal(ruleMatches(rule(['pods']), req({})), true);
    assert.equal(ruleMatches(rule(['pods']), req({ subresource: 'status' })), false);
    assert.equal(ruleMatches(rule(['*']), req({})), true);
    assert.equal(ruleMatches(rule(['*']), req({ subresource: 'status' })), false);
    assert.equal(ruleMatches(rule(['*/*']), req({ subresource: 'status' })), true);
    assert.equal(ruleMatches(rule(['pods/*']), req({ subresource: 'binding' })), true);
    assert.equal(ruleMatches(rule(['pods/status']), req({ subresource: 'status' })), true);
    assert.equal(ruleMatches(rule(['*/status']), req({ resource: 'services', subresource: 'status' })), true);
    assert.equal(ruleMatches(rule(['configmaps']), req({})), false);
  });

  it('matches operations, groups and versions, with * wildcards', () => {
    assert.equal(ruleMatches(rule(['pods']), req({ operation: 'UPDATE' })), false);
    assert.equal(ruleMatches(rule(['pods'], { operations: ['*'] }), req({ operation: 'DELETE' })), true);
    assert.equal(ruleMatches(rule(['deployments']), req({ group: 'apps', resource: 'deployments' })), false);
    assert.equal(
      ruleMatches(
        rule(['deployments'], { apiGroups: ['*'], apiVersions: ['*'] }),
        req({ group: 'apps', resource: 'deployments' }),
      ),
      true,
    );
  });

  it('scope Namespaced and Cluster split objects by namespace, namespaces count as Cluster', () => {
    const ns = req({ resource: 'namespaces', namespace: '', kind: 'Namespace' });
    assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), req({})), true);
    assert.equal(ruleMatches(rule(['*'], { scope: 'Namespaced' }), ns), false);
    assert.equal(ruleMatches(rule(['*'], { scope: 'Cluster' }), ns), true);
    assert.equal(ruleMatches(rule(['*'], { scope: 'Cluster' }), req({})), false);
  });

  it('never sends the webhook configurations themselves', () => {
    assert.equal(isExemptResource('admissionregistration.k8s.io', 'validatingwebhookconfigurations'), true);
    assert.equal(isExemptResource('', 'configmaps'), false);
  });
});

describe('webhook selectors', () => {
  const hook = (sel: Partial<Webhook>): Webhook => ({ name: 'a.b.c', clientConfig: {}, ...sel });

  it('objectSelector matches the new or the old object', () => {
    const w = hook({ objectSelector: { matchLabels: { app: 'db' } } });
    assert.equal(objectSelectorMatches(w, req({})), false);
    assert.equal(objectSelectorMatches(w, req({ oldObject: { metadata: { labels: { app: 'db' } } } })), true);
    assert.equal(objectSelectorMatches(hook({ objectSelector: {} }), req({})), true);
  });

  it("namespaceSelector reads the namespace's labels; cluster-scoped objects always match", async () => {
    const w = hook({
      namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
    });
    const labels = async (ns: string) =>
      ns === 'prod' ? { env: 'prod' } : ns === 'dev' ? { env: 'dev' } : undefined;
    assert.equal(await namespaceSelectorMatches(w, req({ namespace: 'prod' }), labels), true);
    assert.equal(await namespaceSelectorMatches(w, req({ namespace: 'dev' }), labels), false);
    assert.equal(await namespaceSelectorMatches(w, req({ namespace: '', resource: 'nodes' }), labels), true);
    const nsObj = req({
      resource: 'namespaces',
      namespace: '',
      object: { metadata: { name: 'x', labels: { env: 'prod' } } },
    });
    assert.equal(await namespaceSelectorMatches(w, nsObj, labels), true);
    await assert.rejects(
      namespaceSelectorMatches(w, req({ namespace: 'gone' }), labels),
      /namespaces "gone" not found/,
    );
  });
});

describe('webhook configuration validation', () => {
  const base = { name: 'a.b.c', sideEffects: 'None', admissionReviewVersions: ['v1'] };
  const texts = (webhooks: unknown[]) => validateWebhooks(webhooks, true).map(errorText);

  it('requires exactly one of url and service, and checks the service fields', () => {
    assert.deepEqual(texts([{ ...base, clientConfig: {} }]), [
      'webhooks[0].clientConfig: Required value: exactly one of url or service is required',
    ]);
    assert.deepEqual(
      texts([{ ...base, clientConfig: { service: { name: 's', namespace: 'n', path: 'x', port: 0 } } }]),
      [
        `webhooks[0].clientConfig.service.path: Invalid value: "x": must start with a '/'`,
        'webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive',
      ],
    );
  });

  it('refuses duplicate names, bad policies and mixed wildcards', () => {
    const cc = { url: 'https://h/x' };
    assert.deepEqual(
      texts([
        { ...base, clientConfig: cc, failurePolicy: 'Sometimes', reinvocationPolicy: 'Always' },
        { ...base, clientConfig: cc, rules: [rule(['*', 'pods'], { operations: ['*', 'CREATE'] })] },
      ]),
      [
        'webhooks[0].failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
        'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
        'webhooks[1].name: Duplicate value: "a.b.c"',
        `webhooks[1].rules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if '*' is present, must not specify other operations`,
        `webhooks[1].rules[0].resources[1]: Invalid value: "pods": if '*' is present, must not specify other resources without subresources`,
      ],
    );
  });
});
