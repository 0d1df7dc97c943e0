// DefaultIngressClass (plugin/pkg/admission/network/defaultingressclass): a new Ingress that
// names no class (no spec.ingressClassName, no kubernetes.io/ingress.class annotation) gets the
// default IngressClass: the one annotated ingressclass.kubernetes.io/is-default-class: "true",
// the newest when several are (ties broken by name), as upstream's getDefaultClass picks it.
// Only CREATE is handled (upstream's admission.NewHandler(admission.Create)).
import { isRecord, type KubeObject } from '../../api/types.js';
import { listObjects } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin } from './types.js';

const IS_DEFAULT = 'ingressclass.kubernetes.io/is-default-class';
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** getDefaultClass: newest creationTimestamp first, then by name. */
export function pickDefaultIngressClass(classes: KubeObject[]): KubeObject | undefined {
  const created = (c: KubeObject) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  return classes
    .filter((c) => c.metadata.annotations?.[IS_DEFAULT] === 'true')
    .sort((a, b) => created(b) - created(a) || (a.metadata.name! < b.metadata.name! ? -1 : 1))[0];
}

export function defaultIngressClass(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async admit(req) {
      if (req.group !== 'networking.k8s.io' || req.resource !== 'ingresses') return;
      if (req.subresource !== '' || req.operation !== 'CREATE' || !req.object) return;
      const ing = req.object;
      const spec = isRecord(ing.spec) ? ing.spec : (ing.spec = {});
      if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) return;
      if (ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
      const dflt = pickDefaultIngressClass(await listObjects(deps, 'networking.k8s.io', 'ingressclasses'));
      if (dflt) spec.ingressClassName = dflt.metadata.name;
    },
  };
}
