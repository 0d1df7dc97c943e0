// endpointslices
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { notSupported, required } from '../validation.js';

interface Endpoint {
  addresses?: string[];
}

/** upstream's listWithMoreString with a maximum of 3 ("<unset>" when empty). */
function firstThree(xs: string[]): string {
  if (xs.length > 3) return `${xs.slice(0, 3).join(',')} + ${xs.length - 3} more...`;
  return xs.length ? xs.join(',') : '<unset>';
}

export const endpointslices = defineResource({
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
  definition: 'io.k8s.api.discovery.v1.EndpointSlice',
  defaults(es) {
    for (const p of (es.ports as { protocol?: string }[] | undefined) ?? []) p.protocol ??= 'TCP';
  },
  validate(es) {
    const types = ['IPv4', 'IPv6', 'FQDN'];
    if (!es.addressType) return [required('addressType')];
    return types.includes(String(es.addressType)) ? [] : [notSupported('addressType', es.addressType, types)];
  },
  table: {
    columns: [
      nameColumn,
      col('AddressType', 'IPv4, IPv6 or FQDN.'),
      col('Ports', 'The ports of the endpoints.'),
      col('Endpoints', 'The addresses.'),
      ageColumn,
    ],
    cells: (es, now) => {
      const ports = ((es.ports as { port?: number; name?: string }[] | undefined) ?? []).map((p) =>
        typeof p.port === 'number' ? String(p.port) : (p.name ?? '*'),
      );
      const addrs = ((es.endpoints as Endpoint[] | undefined) ?? []).flatMap((e) => e.addresses ?? []);
      return [
        es.metadata.name,
        es.addressType,
        firstThree(ports),
        firstThree(addrs),
        age(es.metadata.creationTimestamp, now),
      ];
    },
  },
});
