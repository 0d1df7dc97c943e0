// mutatingwebhookconfigurations and validatingwebhookconfigurations (admissionregistration.k8s.io/v1):
// stored configurations the MutatingAdmissionWebhook / ValidatingAdmissionWebhook plugins read.
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { defaultWebhooks, validateWebhooks } from './webhook-validation.js';

const table = {
  columns: [nameColumn, col('Webhooks', 'The number of webhooks.', 0, 'integer'), ageColumn],
  cells: (c: { metadata: { name?: string; creationTimestamp?: string }; webhooks?: unknown }, now: Date) => [
    c.metadata.name,
    Array.isArray(c.webhooks) ? c.webhooks.length : 0,
    age(c.metadata.creationTimestamp, now),
  ],
};

export const mutatingwebhookconfigurations = defineResource({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  resource: 'mutatingwebhookconfigurations',
  kind: 'MutatingWebhookConfiguration',
  namespaced: false,
  categories: ['api-extensions'],
  definition: 'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration',
  defaults: (c) => defaultWebhooks(c, true),
  validate: (c) => validateWebhooks(c.webhooks, true),
  table,
});

export const validatingwebhookconfigurations = defineResource({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  resource: 'validatingwebhookconfigurations',
  kind: 'ValidatingWebhookConfiguration',
  namespaced: false,
  categories: ['api-extensions'],
  definition: 'io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration',
  defaults: (c) => defaultWebhooks(c, false),
  validate: (c) => validateWebhooks(c.webhooks, false),
  table,
});
