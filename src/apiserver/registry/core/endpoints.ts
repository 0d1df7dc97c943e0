// endpoints (ep)
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

interface Subset {
  addresses?: { ip: string }[];
  ports?: { port: number }[];
}

/** "10.42.0.5:80,10.42.0.6:80 + 3 more...", as upstream prints at most three. */
function endpointsText(subsets: Subset[] | undefined): string {
  const all: string[] = [];
  for (const s of subsets ?? []) {
    for (const a of s.addresses ?? []) {
      if (!s.ports?.length) all.push(a.ip);
      for (const p of s.ports ?? []) all.push(`${a.ip}:${p.port}`);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpoints = defineResource({
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  namespaced: true,
  shortNames: ['ep'],
  definition: 'io.k8s.api.core.v1.Endpoints',
  table: {
    columns: [nameColumn, col('Endpoints', 'Addresses and ports of the endpoints.'), ageColumn],
    cells: (ep, now) => [ep.metadata.name, endpointsText(ep.subsets as Subset[]), age(ep.metadata.creationTimestamp, now)],
  },
});
