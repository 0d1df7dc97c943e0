// The packaged ingress add-on (k3s packages traefik in its place): the IngressClass `k8ts`,
// the cluster's default class, served by `k8ts ingress-controller` (src/ingress/).
import { stringify } from 'yaml';
import { k8tsIngressClass } from '../ingress/classes.js';

export const INGRESS_MANIFEST = 'ingress.yaml';

export function ingressManifest(): string {
  return stringify(k8tsIngressClass());
}

/**
 * The TCP/UDP services ConfigMaps the packaged controller reads, named as in ingress-nginx's
 * deployment (namespace ingress-nginx): absent ConfigMaps mean no stream ports.
 */
export const STREAM_CONFIGMAP_FLAGS = [
  '--tcp-services-configmap',
  'ingress-nginx/tcp-services',
  '--udp-services-configmap',
  'ingress-nginx/udp-services',
];
