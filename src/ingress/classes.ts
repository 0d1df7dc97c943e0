// Which Ingresses this controller serves: those whose spec.ingressClassName names an
// IngressClass with spec.controller k8ts.io/ingress-controller, and those naming no class
// (no ingressClassName, no legacy kubernetes.io/ingress.class annotation) while such a class
// is the default (annotation ingressclass.kubernetes.io/is-default-class: "true").
import type { KubeObject } from '../api/types.js';

export const CONTROLLER_NAME = 'k8ts.io/ingress-controller';
export const CLASS_NAME = 'k8ts';
export const IS_DEFAULT_CLASS = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function ourClasses(classes: KubeObject[]): KubeObject[] {
  return classes.filter(
    (c) => (c.spec as { controller?: string } | undefined)?.controller === CONTROLLER_NAME,
  );
}

export function isServed(ing: KubeObject, ours: KubeObject[]): boolean {
  const name = (ing.spec as { ingressClassName?: string } | undefined)?.ingressClassName;
  if (name) return ours.some((c) => c.metadata.name === name);
  const legacy = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return ours.some((c) => c.metadata.name === legacy);
  return ours.some((c) => c.metadata.annotations?.[IS_DEFAULT_CLASS] === 'true');
}

/** The packaged IngressClass (src/deploy/ingress.ts writes it as a manifest). */
export function k8tsIngressClass(): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: CLASS_NAME, annotations: { [IS_DEFAULT_CLASS]: 'true' } },
    spec: { controller: CONTROLLER_NAME },
  };
}
