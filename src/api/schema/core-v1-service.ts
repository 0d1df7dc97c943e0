// Services and Endpoints: stable virtual addresses in front of pods, and the addresses behind them.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, bool, ref, arr, map, mergeList, obj, t, INT_OR_STRING, META } from './dsl.js';
import { kind, listOf, atomic, P } from './core-v1-common.js';

export const serviceDefinitions: Definitions = {
  [`${P}.Service`]: kind(
    'Service',
    'A named, stable network endpoint in front of the pods chosen by a label selector.',
    {
      spec: ref(`${P}.ServiceSpec`, 'How the service is exposed and which pods back it.'),
      status: ref(`${P}.ServiceStatus`, 'The observed state of the service, such as its load balancer.'),
    },
  ),
  [`${P}.ServiceList`]: listOf('Service'),
  [`${P}.ServiceSpec`]: obj('How a service is exposed and which pods back it.', {
    allocateLoadBalancerNodePorts: bool(
      'Whether node ports are allocated for a LoadBalancer service; defaults to true.',
    ),
    clusterIP: str(
      "The service's virtual IP; None makes a headless service, and it is allocated when empty.",
    ),
    clusterIPs: arr(t.str, "The service's virtual IPs, one per IP family, primary first.", atomic),
    externalIPs: arr(t.str, 'Extra IP addresses on which nodes accept traffic for this service.', atomic),
    externalName: str('The DNS name the service is an alias for; only with type ExternalName.'),
    externalTrafficPolicy: str(
      'Whether external traffic is routed to node-local endpoints only (Local) or to all (Cluster).',
      { enum: ['Cluster', 'Local'] },
    ),
    healthCheckNodePort: int32('The node port on which health checks are served for Local external traffic.'),
    internalTrafficPolicy: str(
      'Whether cluster-internal traffic is routed to node-local endpoints only (Local) or to all (Cluster).',
      { enum: ['Cluster', 'Local'] },
    ),
    ipFamilies: arr(t.str, 'The IP families of the service, e.g. IPv4 and IPv6.', atomic),
    ipFamilyPolicy: str('Whether the service is single-stack or dual-stack.', {
      enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
    }),
    loadBalancerClass: str('The load balancer implementation this service asks for.'),
    loadBalancerIP: str('Deprecated: an IP address requested for the load balancer.'),
    loadBalancerSourceRanges: arr(
      t.str,
      'Client address ranges allowed through a cloud load balancer.',
      atomic,
    ),
    ports: mergeList(t.ref(`${P}.ServicePort`), 'The ports the service exposes.', ['port', 'protocol']),
    publishNotReadyAddresses: bool('Whether endpoints include pods that are not ready.'),
    selector: map(
      t.str,
      "Labels of the pods that receive the service's traffic; without it, endpoints are managed by hand.",
      { 'x-kubernetes-map-type': 'atomic' },
    ),
    sessionAffinity: str("Whether a client's connections stick to one pod: ClientIP or None (the default).", {
      enum: ['ClientIP', 'None'],
    }),
    sessionAffinityConfig: ref(`${P}.SessionAffinityConfig`, 'Settings of session affinity.'),
    trafficDistribution: str('A preference for how traffic is spread over endpoints, e.g. PreferClose.'),
    type: str('How the service is exposed; defaults to ClusterIP.', {
      enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    }),
  }),
  [`${P}.ServicePort`]: obj(
    'One port a service exposes.',
    {
      appProtocol: str('The application protocol of the port, e.g. http or kubernetes.io/h2c.'),
      name: str("The port's name; required when the service has more than one port."),
      nodePort: int32(
        'The port opened on every node for NodePort and LoadBalancer services; allocated when unset.',
      ),
      port: int32('The port the service listens on.'),
      protocol: str("The port's protocol; defaults to TCP.", {
        enum: ['SCTP', 'TCP', 'UDP'],
        default: 'TCP',
      }),
      targetPort: ref(INT_OR_STRING, 'The port number or name on the pods; defaults to port.'),
    },
    { required: ['port'] },
  ),
  [`${P}.ServiceStatus`]: obj('The observed state of a service.', {
    conditions: mergeList(t.ref(`${META}.Condition`), "The service's current conditions.", ['type']),
    loadBalancer: ref(`${P}.LoadBalancerStatus`, "The state of the service's load balancer, if any."),
  }),
  [`${P}.LoadBalancerStatus`]: obj('The state of a load balancer.', {
    ingress: arr(t.ref(`${P}.LoadBalancerIngress`), "The load balancer's ingress points.", atomic),
  }),
  [`${P}.LoadBalancerIngress`]: obj('One ingress point of a load balancer.', {
    hostname: str("The ingress point's DNS name."),
    ip: str("The ingress point's IP address."),
    ipMode: str('How traffic to the IP reaches the service: VIP (the default) or Proxy.', {
      enum: ['Proxy', 'VIP'],
    }),
    ports: arr(t.ref(`${P}.PortStatus`), 'The state of each port of the service.', atomic),
  }),
  [`${P}.PortStatus`]: obj(
    'The state of one load balancer port.',
    {
      error: str('Why the port is not working; empty when it works.'),
      port: int32('The port number.'),
      protocol: str("The port's protocol.", { enum: ['SCTP', 'TCP', 'UDP'] }),
    },
    { required: ['port', 'protocol'] },
  ),
  [`${P}.SessionAffinityConfig`]: obj('Settings of session affinity.', {
    clientIP: ref(`${P}.ClientIPConfig`, 'Settings of affinity by client IP.'),
  }),
  [`${P}.ClientIPConfig`]: obj('Settings of affinity by client IP.', {
    timeoutSeconds: int32('Seconds a client sticks to its pod; from 1 to 86400, defaults to 10800.'),
  }),
  [`${P}.Endpoints`]: kind('Endpoints', 'The addresses that implement a service.', {
    subsets: arr(t.ref(`${P}.EndpointSubset`), 'Groups of addresses that share the same ports.', atomic),
  }),
  [`${P}.EndpointsList`]: listOf('Endpoints'),
  [`${P}.EndpointSubset`]: obj('Addresses that share the same ports.', {
    addresses: arr(t.ref(`${P}.EndpointAddress`), 'Addresses that are ready to serve.', atomic),
    notReadyAddresses: arr(t.ref(`${P}.EndpointAddress`), 'Addresses that are not ready yet.', atomic),
    ports: arr(t.ref(`${P}.EndpointPort`), 'The ports of every address of the subset.', atomic),
  }),
  [`${P}.EndpointAddress`]: obj(
    'One endpoint address.',
    {
      hostname: str("The endpoint's host name."),
      ip: str("The endpoint's IP address."),
      nodeName: str('The node that hosts the endpoint.'),
      targetRef: ref(`${P}.ObjectReference`, 'The object behind the endpoint, usually a pod.'),
    },
    { required: ['ip'] },
  ),
  [`${P}.EndpointPort`]: obj(
    'One port of an endpoint subset.',
    {
      appProtocol: str('The application protocol of the port.'),
      name: str("The port's name, matching the service port's name."),
      port: int32('The port number.'),
      protocol: str("The port's protocol; defaults to TCP.", { enum: ['SCTP', 'TCP', 'UDP'] }),
    },
    { required: ['port'] },
  ),
};
