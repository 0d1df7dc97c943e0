// networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  INT_OR_STRING,
  LABEL_SELECTOR,
  LIST_META,
  OBJECT_META,
  arr,
  int32,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const P = 'io.k8s.api.networking.v1';
const GROUP = 'networking.k8s.io';
const gvk = (kind: string) => [{ group: GROUP, version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

function topLevel(kind: string, description: string, props: Record<string, PropSchema>): Definition {
  return obj(
    description,
    {
      apiVersion: str(`The versioned schema of this object, here ${GROUP}/v1.`),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...props,
    },
    { gvk: gvk(kind) },
  );
}

function listOf(kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str(`The versioned schema of this list, here ${GROUP}/v1.`),
      items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kind}List`) },
  );
}

const ingress: Definitions = {
  [`${P}.Ingress`]: topLevel(
    'Ingress',
    'Rules that route outside HTTP(S) traffic to services by host and path.',
    {
      spec: ref(`${P}.IngressSpec`, 'The routing rules and TLS settings.'),
      status: ref(`${P}.IngressStatus`, 'The most recently observed state of the ingress.'),
    },
  ),
  [`${P}.IngressList`]: listOf('Ingress'),
  [`${P}.IngressSpec`]: obj('How an ingress routes traffic.', {
    defaultBackend: ref(`${P}.IngressBackend`, 'Where requests that match no rule go.'),
    ingressClassName: str('The IngressClass that selects the controller implementing this ingress.'),
    rules: arr(
      t.ref(`${P}.IngressRule`),
      'Host and path rules; unmatched traffic goes to the default backend.',
      atomic,
    ),
    tls: arr(t.ref(`${P}.IngressTLS`), 'TLS termination settings, per set of hosts.', atomic),
  }),
  [`${P}.IngressBackend`]: obj('Where matching requests are sent: a service port or another resource.', {
    resource: ref(
      'io.k8s.api.core.v1.TypedLocalObjectReference',
      'Another object in the namespace, e.g. a bucket.',
    ),
    service: ref(`${P}.IngressServiceBackend`, 'A service and port; exclusive with resource.'),
  }),
  [`${P}.IngressServiceBackend`]: obj(
    'A service that receives traffic.',
    {
      name: str('The name of the service in the same namespace.'),
      port: ref(`${P}.ServiceBackendPort`, 'The port of the service.'),
    },
    { required: ['name'] },
  ),
  [`${P}.ServiceBackendPort`]: obj('A service port, by name or by number.', {
    name: str('The name of the port; exclusive with number.'),
    number: int32('The numeric port; exclusive with name.'),
  }),
  [`${P}.IngressRule`]: obj('Routes requests for one host (or every host) by path.', {
    host: str('The fully qualified host name to match, optionally with a leading "*." wildcard.'),
    http: ref(`${P}.HTTPIngressRuleValue`, 'The HTTP paths of this host.'),
  }),
  [`${P}.HTTPIngressRuleValue`]: obj(
    'HTTP paths and the backends they route to.',
    {
      paths: arr(t.ref(`${P}.HTTPIngressPath`), 'Path rules.', atomic),
    },
    { required: ['paths'] },
  ),
  [`${P}.HTTPIngressPath`]: obj(
    'A path and the backend its requests go to.',
    {
      backend: ref(`${P}.IngressBackend`, 'Where matching requests go.'),
      path: str('The path to match; must start with "/".'),
      pathType: str('How path is compared: Exact, Prefix or ImplementationSpecific.', {
        enum: ['Exact', 'ImplementationSpecific', 'Prefix'],
      }),
    },
    { required: ['pathType', 'backend'] },
  ),
  [`${P}.IngressTLS`]: obj('TLS termination for a set of hosts.', {
    hosts: arr(t.str, 'Hosts the certificate covers.', atomic),
    secretName: str('The secret holding the certificate and key.'),
  }),
  [`${P}.IngressStatus`]: obj('The observed state of an ingress.', {
    loadBalancer: ref(`${P}.IngressLoadBalancerStatus`, 'The addresses of the load balancer.'),
  }),
  [`${P}.IngressLoadBalancerStatus`]: obj('Addresses where an ingress is reachable.', {
    ingress: arr(t.ref(`${P}.IngressLoadBalancerIngress`), 'The load balancer endpoints.', atomic),
  }),
  [`${P}.IngressLoadBalancerIngress`]: obj('One endpoint of an ingress load balancer.', {
    hostname: str('A DNS name of the endpoint.'),
    ip: str('An IP address of the endpoint.'),
    ports: arr(t.ref(`${P}.IngressPortStatus`), 'The state of each port of the endpoint.', atomic),
  }),
  [`${P}.IngressPortStatus`]: obj(
    'The state of one load balancer port.',
    {
      error: str('Why the port is not working, as a CamelCase reason; empty when it works.'),
      port: int32('The port number.'),
      protocol: str('TCP, UDP or SCTP.', { enum: ['SCTP', 'TCP', 'UDP'] }),
    },
    { required: ['port', 'protocol'] },
  ),
};

const ingressClass: Definitions = {
  [`${P}.IngressClass`]: topLevel(
    'IngressClass',
    'A kind of ingress and the controller that implements it.',
    {
      spec: ref(`${P}.IngressClassSpec`, 'The controller and its parameters.'),
    },
  ),
  [`${P}.IngressClassList`]: listOf('IngressClass'),
  [`${P}.IngressClassSpec`]: obj('The controller behind an ingress class.', {
    controller: str('The name of the controller, e.g. example.com/ingress-controller; immutable.'),
    parameters: ref(
      `${P}.IngressClassParametersReference`,
      'An object with further settings for the controller.',
    ),
  }),
  [`${P}.IngressClassParametersReference`]: obj(
    'Names an object holding settings of an ingress class.',
    {
      apiGroup: str('The API group of the object; empty for the core group.'),
      kind: str('The kind of the object.'),
      name: str('The name of the object.'),
      namespace: str('The namespace of the object; required when scope is Namespace.'),
      scope: str('Cluster (the default) or Namespace.'),
    },
    { required: ['kind', 'name'] },
  ),
};

const networkPolicy: Definitions = {
  [`${P}.NetworkPolicy`]: topLevel('NetworkPolicy', 'Which traffic may reach and leave a set of pods.', {
    spec: ref(`${P}.NetworkPolicySpec`, 'The pods selected and the traffic allowed.'),
  }),
  [`${P}.NetworkPolicyList`]: listOf('NetworkPolicy'),
  [`${P}.NetworkPolicySpec`]: obj(
    'The pods a network policy applies to and the traffic it allows.',
    {
      egress: arr(
        t.ref(`${P}.NetworkPolicyEgressRule`),
        'Outgoing traffic allowed from the selected pods.',
        atomic,
      ),
      ingress: arr(
        t.ref(`${P}.NetworkPolicyIngressRule`),
        'Incoming traffic allowed to the selected pods.',
        atomic,
      ),
      podSelector: ref(
        LABEL_SELECTOR,
        'The pods in this namespace the policy applies to; empty selects all.',
      ),
      policyTypes: arr(t.str, 'Which directions the policy governs: Ingress, Egress or both.', atomic),
    },
    { required: ['podSelector'] },
  ),
  [`${P}.NetworkPolicyIngressRule`]: obj('Incoming traffic allowed by a policy.', {
    from: arr(t.ref(`${P}.NetworkPolicyPeer`), 'Sources allowed; empty allows every source.', atomic),
    ports: arr(t.ref(`${P}.NetworkPolicyPort`), 'Ports allowed; empty allows every port.', atomic),
  }),
  [`${P}.NetworkPolicyEgressRule`]: obj('Outgoing traffic allowed by a policy.', {
    ports: arr(t.ref(`${P}.NetworkPolicyPort`), 'Ports allowed; empty allows every port.', atomic),
    to: arr(t.ref(`${P}.NetworkPolicyPeer`), 'Destinations allowed; empty allows every destination.', atomic),
  }),
  [`${P}.NetworkPolicyPeer`]: obj('A set of pods or an IP range that traffic may come from or go to.', {
    ipBlock: ref(`${P}.IPBlock`, 'An IP range; exclusive with the selectors.'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Namespaces whose pods are allowed.'),
    podSelector: ref(LABEL_SELECTOR, 'Pods allowed, in this namespace or the selected ones.'),
  }),
  [`${P}.NetworkPolicyPort`]: obj('A port, or port range, on a protocol.', {
    endPort: int32('The last port of a range starting at port.'),
    port: ref(INT_OR_STRING, 'A port number or named port; unset matches all ports.'),
    protocol: str('TCP (the default), UDP or SCTP.', { enum: ['SCTP', 'TCP', 'UDP'] }),
  }),
  [`${P}.IPBlock`]: obj(
    'An IP range, minus some sub-ranges.',
    {
      cidr: str('The range, e.g. 192.168.1.0/24 or 2001:db8::/64.'),
      except: arr(t.str, 'Sub-ranges of cidr that are excluded.', atomic),
    },
    { required: ['cidr'] },
  ),
};

export const networkingV1Definitions: Definitions = { ...ingress, ...ingressClass, ...networkPolicy };
