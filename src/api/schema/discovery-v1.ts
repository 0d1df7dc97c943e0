// discovery.k8s.io/v1: EndpointSlice.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, arr, bool, int32, map, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.discovery.v1';
const gvk = (kind: string) => [{ group: 'discovery.k8s.io', version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

export const discoveryV1Definitions: Definitions = {
  [`${P}.EndpointSlice`]: obj(
    'A slice of the network endpoints behind a service.',
    {
      addressType: str('The kind of addresses in this slice: IPv4, IPv6 or FQDN; immutable.', {
        enum: ['FQDN', 'IPv4', 'IPv6'],
      }),
      apiVersion: str('The versioned schema of this object, here discovery.k8s.io/v1.'),
      endpoints: arr(t.ref(`${P}.Endpoint`), 'The endpoints of the slice; at most 1000.', atomic),
      kind: str('The kind of this object, here EndpointSlice.'),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ports: arr(t.ref(`${P}.EndpointPort`), 'The ports every endpoint of the slice exposes.', atomic),
    },
    { required: ['addressType', 'endpoints'], gvk: gvk('EndpointSlice') },
  ),
  [`${P}.EndpointSliceList`]: obj(
    'A list of EndpointSlice objects.',
    {
      apiVersion: str('The versioned schema of this list, here discovery.k8s.io/v1.'),
      items: arr(t.ref(`${P}.EndpointSlice`), 'The EndpointSlice objects.'),
      kind: str('The kind of this list, here EndpointSliceList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('EndpointSliceList') },
  ),
  [`${P}.Endpoint`]: obj(
    'One network endpoint, usually a pod.',
    {
      addresses: arr(t.str, "The addresses of the endpoint, of the slice's address type.", {
        'x-kubernetes-list-type': 'set',
      }),
      conditions: ref(`${P}.EndpointConditions`, 'Whether the endpoint is ready, serving or terminating.'),
      deprecatedTopology: map(t.str, 'Old-style topology labels; superseded by nodeName and zone.'),
      hints: ref(`${P}.EndpointHints`, 'Hints for topology-aware routing.'),
      hostname: str('The DNS host name of the endpoint.'),
      nodeName: str('The node that hosts the endpoint.'),
      targetRef: ref('io.k8s.api.core.v1.ObjectReference', 'The object behind the endpoint, usually a pod.'),
      zone: str('The zone the endpoint runs in.'),
    },
    { required: ['addresses'] },
  ),
  [`${P}.EndpointConditions`]: obj('The current state of an endpoint.', {
    ready: bool('Whether the endpoint should receive traffic; false while terminating.'),
    serving: bool('Whether the endpoint can serve traffic, regardless of terminating.'),
    terminating: bool('Whether the endpoint is shutting down.'),
  }),
  [`${P}.EndpointHints`]: obj('Hints about where an endpoint should be used.', {
    forZones: arr(t.ref(`${P}.ForZone`), 'Zones whose clients should use this endpoint.', atomic),
  }),
  [`${P}.ForZone`]: obj(
    'A zone that should use an endpoint.',
    { name: str('The name of the zone.') },
    {
      required: ['name'],
    },
  ),
  [`${P}.EndpointPort`]: {
    ...obj('A port exposed by the endpoints of a slice.', {
      appProtocol: str('The application protocol of the port, e.g. http or kubernetes.io/h2c.'),
      name: str('The name of the port, matching the service port name; may be empty.'),
      port: int32('The port number; unset means all ports.'),
      protocol: str('TCP (the default), UDP or SCTP.', { enum: ['SCTP', 'TCP', 'UDP'] }),
    }),
    'x-kubernetes-map-type': 'atomic',
  },
};
