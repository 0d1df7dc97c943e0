// endpoints (ep): port protocol defaults and upstream's ENDPOINTS cell.
import { isIP } from 'node:net';
import { isRecord } from '../../../api/types.js';
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

interface Subset {
  addresses?: { ip: string }[];
  ports?: { port: number; protocol?: string }[];
}
const MAX_SHOWN = 3;

const hostPort = (ip: string, port: number) => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

/** "10.42.0.5:80,10.42.0.6:80,10.42.0.7:80 + 2 more...": at most three, ports outermost, as upstream prints. */
export function endpointsText(subsets: Subset[] | undefined): string {
  if (!subsets?.length) return '<none>';
  const shown: string[] = [];
  let count = 0;
  let more = false;
  const add = (s: string) => {
    if (shown.length === MAX_SHOWN) more = true;
    else shown.push(s);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports?.length) {
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const p of ss.ports) {
      count += addresses.length;
      for (const a of addresses) add(hostPort(a.ip, p.port));
    }
  }
  const text = shown.join(',');
  return more ? `${text} + ${count - MAX_SHOWN} more...` : text;
}

export const endpoints = defineResource({
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  namespaced: true,
  shortNames: ['ep'],
  definition: 'io.k8s.api.core.v1.Endpoints',
  defaults(ep) {
    for (const ss of Array.isArray(ep.subsets) ? ep.subsets.filter(isRecord) : [])
      for (const p of Array.isArray(ss.ports) ? ss.ports.filter(isRecord) : [])
        setDefault(p, 'protocol', 'TCP');
  },
  table: {
    columns: [
      nameColumn,
      col('Endpoints', 'Addresses and ports that back the service (at most three shown).'),
      ageColumn,
    ],
    cells: (ep, now) => [
      ep.metadata.name,
      endpointsText(ep.subsets as Subset[] | undefined),
      age(ep.metadata.creationTimestamp, now),
    ],
  },
});
