// daemonsets (ds)
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText, mapSelectorText } from '../core/workload-columns.js';
import type { KubeObject } from '../../../api/types.js';
import { invalidValue, notSupported, required, type FieldError } from '../validation.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import {
  defaultTemplate,
  goLabelSelector,
  immutableSelector,
  intOrPercent,
  intOrPercentValue,
  noActiveDeadline,
  nonNegative,
  notOver100Percent,
  restartAlways,
  selectorMatchesTemplate,
  selectorString,
  spec,
  status,
} from './workload.js';

type Obj = Record<string, unknown>;

function validateUpdateStrategy(ds: KubeObject): FieldError[] {
  const us = (isRecord(spec(ds).updateStrategy) ? spec(ds).updateStrategy : {}) as Obj;
  const path = 'spec.updateStrategy';
  if (us.type === 'OnDelete') return [];
  if (us.type !== 'RollingUpdate') return [notSupported(path, us, ['RollingUpdate', 'OnDelete'])];
  if (!isRecord(us.rollingUpdate)) return [required(`${path}.rollingUpdate`)];
  const ru = us.rollingUpdate;
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...intOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...intOrPercent(ru.maxSurge, `${p}.maxSurge`),
    ...notOver100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
    ...notOver100Percent(ru.maxSurge, `${p}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge)
    errs.push(invalidValue(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge)
    errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** Upstream's ValidateDaemonSetSpec, in its order (no Required for a missing selector: it matches nothing). */
function validateDaemonSet(ds: KubeObject): FieldError[] {
  const sel = spec(ds).selector;
  const errs = selectorMatchesTemplate(ds);
  if (
    isRecord(sel) &&
    !(isRecord(sel.matchLabels) && Object.keys(sel.matchLabels).length) &&
    !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length)
  )
    errs.push(invalidValue('spec.selector', goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec(ds).template, 'spec.template'));
  errs.push(...restartAlways(ds), ...noActiveDeadline(ds, 'DaemonSet'));
  errs.push(...nonNegative(ds, 'minReadySeconds'), ...validateUpdateStrategy(ds));
  errs.push(...nonNegative(ds, 'revisionHistoryLimit'));
  return errs;
}

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function templateGeneration(ds: KubeObject): number {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION];
  return v && /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : 1;
}

function setTemplateGeneration(ds: KubeObject, gen: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(gen) };
}

export const daemonsets = defineResource({
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  definition: 'io.k8s.api.apps.v1.DaemonSet',
  status: true,
  generation: true,
  defaults(ds) {
    const s = defaultTemplate(ds);
    const us = ensureObject<Obj>(s, 'updateStrategy');
    setDefault(us, 'type', 'RollingUpdate');
    if (us.type === 'RollingUpdate') {
      const ru = ensureObject<Obj>(us, 'rollingUpdate');
      setDefault(ru, 'maxUnavailable', 1);
      setDefault(ru, 'maxSurge', 0);
    }
    setDefault(s, 'revisionHistoryLimit', 10);
  },
  prepareForCreate(ds) {
    setTemplateGeneration(ds, templateGeneration(ds));
    ds.status = {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    };
  },
  prepareForUpdate(ds, old) {
    // upstream's spec.templateGeneration, served in apps/v1 as an annotation: kept from the old
    // object, one more when the template changes
    const gen = templateGeneration(old);
    const changed = JSON.stringify(spec(ds).template) !== JSON.stringify(spec(old).template);
    setTemplateGeneration(ds, changed ? gen + 1 : gen);
  },
  validate: validateDaemonSet,
  validateUpdate: immutableSelector,
  table: {
    columns: [
      nameColumn,
      col('Desired', 'Nodes that should run the daemon pod.', 0, 'integer'),
      col('Current', 'Nodes running the daemon pod.', 0, 'integer'),
      col('Ready', 'Nodes with a ready daemon pod.', 0, 'integer'),
      col('Up-to-date', 'Nodes running the updated pod.', 0, 'integer'),
      col('Available', 'Nodes with an available daemon pod.', 0, 'integer'),
      col('Node Selector', 'The node selector of the pods.'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (ds, now) => {
      const st = status(ds);
      const tpl = spec(ds).template;
      const nodeSel = isRecord(tpl) && isRecord(tpl.spec) ? tpl.spec.nodeSelector : undefined;
      const [names, images] = containersText(tpl);
      return [
        ds.metadata.name,
        st.desiredNumberScheduled ?? 0,
        st.currentNumberScheduled ?? 0,
        st.numberReady ?? 0,
        st.updatedNumberScheduled ?? 0,
        st.numberAvailable ?? 0,
        mapSelectorText(nodeSel),
        age(ds.metadata.creationTimestamp, now),
        names,
        images,
        selectorString(ds),
      ];
    },
  },
});
