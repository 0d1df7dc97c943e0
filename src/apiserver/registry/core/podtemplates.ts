// podtemplates: template defaults and validation; upstream's table has no AGE column.
import { isRecord } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { col, nameColumn } from '../table.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containersText, mapSelectorText } from './workload-columns.js';

export const podtemplates = defineResource({
  group: '',
  version: 'v1',
  resource: 'podtemplates',
  kind: 'PodTemplate',
  namespaced: true,
  definition: 'io.k8s.api.core.v1.PodTemplate',
  defaults: (pt) => defaultPodTemplateSpec(pt.template ?? (pt.template = {})),
  validate: (pt) => validatePodTemplateSpec(pt.template, 'template'),
  generation: true,
  table: {
    columns: [
      nameColumn,
      col('Containers', 'Names of the containers in the template.'),
      col('Images', 'Images of the containers in the template.'),
      col('Pod Labels', 'Labels the template gives its pods.'),
    ],
    cells: (pt) => {
      const [names, images] = containersText(pt.template);
      const meta = isRecord(pt.template) && isRecord(pt.template.metadata) ? pt.template.metadata : {};
      return [pt.metadata.name, names, images, mapSelectorText(meta.labels)];
    },
  },
});
