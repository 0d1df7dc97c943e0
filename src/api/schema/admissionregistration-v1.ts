// admissionregistration.k8s.io/v1: MutatingWebhookConfiguration and ValidatingWebhookConfiguration
// (the admission policy kinds are not served by k8ts and are not defined here).
import type { Definitions, PropSchema } from './dsl.js';
import { LABEL_SELECTOR, LIST_META, OBJECT_META, arr, int32, mergeList, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.admissionregistration.v1';
const gvk = (kind: string) => [{ group: 'admissionregistration.k8s.io', version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;
const strings = (description: string) => arr(t.str, description, atomic);

function webhookProps(mutating: boolean): Record<string, PropSchema> {
  const props: Record<string, PropSchema> = {
    admissionReviewVersions: strings('AdmissionReview versions the webhook accepts, in order of preference.'),
    clientConfig: ref(`${P}.WebhookClientConfig`, 'How to reach the webhook.'),
    failurePolicy: str(
      'What a call failure does: Fail (default) refuses the request, Ignore lets it through.',
    ),
    matchConditions: mergeList(t.ref(`${P}.MatchCondition`), 'CEL conditions a request must meet.', ['name']),
    matchPolicy: str(
      'Exact or Equivalent (default): whether requests for equivalent versions match the rules.',
    ),
    name: str('The webhook name, a fully qualified domain name.'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Labels the namespace of an object must have; {} matches all.'),
    objectSelector: ref(LABEL_SELECTOR, 'Labels the object must have; {} matches all.'),
    rules: arr(
      t.ref(`${P}.RuleWithOperations`),
      'Operations on resources the webhook is called for.',
      atomic,
    ),
    sideEffects: str('None or NoneOnDryRun: whether calling the webhook changes anything out of band.'),
    timeoutSeconds: int32('Seconds to wait for the webhook, 1 to 30 (default 10).'),
  };
  if (mutating)
    props.reinvocationPolicy = str(
      'Never (default) or IfNeeded: call again when later mutations changed the object.',
    );
  return props;
}

function configuration(kind: string, webhook: string): Definitions {
  return {
    [`${P}.${kind}`]: obj(
      `A set of ${webhook} admission webhooks.`,
      {
        apiVersion: str('The versioned schema of this object, here admissionregistration.k8s.io/v1.'),
        kind: str(`The kind of this object, here ${kind}.`),
        metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
        webhooks: mergeList(t.ref(`${P}.${webhook}`), 'The webhooks and what they are called for.', ['name']),
      },
      { gvk: gvk(kind) },
    ),
    [`${P}.${kind}List`]: obj(
      `A list of ${kind} objects.`,
      {
        apiVersion: str('The versioned schema of this list.'),
        items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
        kind: str(`The kind of this list, here ${kind}List.`),
        metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
      },
      { required: ['items'], gvk: gvk(`${kind}List`) },
    ),
  };
}

export const admissionregistrationV1Definitions: Definitions = {
  ...configuration('MutatingWebhookConfiguration', 'MutatingWebhook'),
  ...configuration('ValidatingWebhookConfiguration', 'ValidatingWebhook'),
  [`${P}.MutatingWebhook`]: obj('A webhook that may change and refuse objects.', webhookProps(true), {
    required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'],
  }),
  [`${P}.ValidatingWebhook`]: obj('A webhook that may refuse objects.', webhookProps(false), {
    required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'],
  }),
  [`${P}.MatchCondition`]: obj(
    'A CEL expression a request must satisfy to be sent to the webhook.',
    { expression: str('The CEL expression.'), name: str('The condition name.') },
    { required: ['name', 'expression'] },
  ),
  [`${P}.RuleWithOperations`]: obj('Operations and resources a webhook is called for.', {
    apiGroups: strings("API groups, '' the core group, '*' all."),
    apiVersions: strings("API versions, '*' all."),
    operations: strings('CREATE, UPDATE, DELETE, CONNECT or *.'),
    resources: strings("Resources, 'pods/status' for a subresource, '*' and 'pods/*' wildcards."),
    scope: str('Cluster, Namespaced or * (default).'),
  }),
  [`${P}.WebhookClientConfig`]: obj('How the API server reaches a webhook: a URL or a Service.', {
    caBundle: str('PEM bundle (base64) that verifies the webhook serving certificate.', { format: 'byte' }),
    service: ref(`${P}.ServiceReference`, 'The Service the webhook runs behind.'),
    url: str('https URL of the webhook.'),
  }),
  [`${P}.ServiceReference`]: obj(
    'A Service in front of a webhook.',
    {
      name: str('The Service name.'),
      namespace: str('The Service namespace.'),
      path: str('URL path of the request.'),
      port: int32('Service port (default 443).'),
    },
    { required: ['namespace', 'name'] },
  ),
};
