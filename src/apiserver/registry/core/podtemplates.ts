// podtemplates
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containersText } from './workload-columns.js';

export const podtemplates = defineResource({
  group: '',
  version: 'v1',
  resource: 'podtemplates',
  kind: 'PodTemplate',
  namespaced: true,
  definition: 'io.k8s.api.core.v1.PodTemplate',
  defaults: (pt) => defaultPodTemplateSpec(pt.template ?? (pt.template = {})),
  validate: (pt) => validatePodTemplateSpec(pt.template, 'template'),
  table: {
    columns: [nameColumn, col('Containers', 'Container names.'), col('Images', 'Container images.'), col('Pod Labels', 'Labels of the pods.'), ageColumn],
    cells: (pt, now) => {
      const [names, images] = containersText(pt.template);
      const labels = Object.entries(((pt.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels) ?? {}).map(([k, v]) => `${k}=${v}`);
      return [pt.metadata.name, names, images, labels.join(',') || '<none>', age(pt.metadata.creationTimestamp, now)];
    },
  },
});
