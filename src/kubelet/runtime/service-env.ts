// The Docker-links-style variables the kubelet puts into every container (upstream's
// pkg/kubelet/envvars and getServiceEnvVarMap): the `kubernetes` Service of the default
// namespace always (so that in-cluster clients find KUBERNETES_SERVICE_HOST/PORT), and with
// enableServiceLinks (the default) every Service of the pod's namespace. Services without a
// cluster IP (headless, ExternalName) give none. The container's own env wins over these.
import type { KubeObject } from '../../api/types.js';

interface ServiceSpec {
  clusterIP?: string;
  ports?: { name?: string; port: number; protocol?: string }[];
}

function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

function isServiceIPSet(spec: ServiceSpec): boolean {
  return !!spec.clusterIP && spec.clusterIP !== 'None';
}

/** The variables of one service, in upstream's order. */
export function serviceVariables(svc: KubeObject): [string, string][] {
  const spec = (svc.spec ?? {}) as ServiceSpec;
  if (!isServiceIPSet(spec)) return [];
  const ip = spec.clusterIP!;
  const prefix = envName(svc.metadata.name ?? '');
  const ports = spec.ports ?? [];
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip]];
  if (ports[0]) out.push([`${prefix}_SERVICE_PORT`, String(ports[0].port)]);
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${host}:${p.port}`;
    const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, proto], [`${portPrefix}_PORT`, String(p.port)]);
    out.push([`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

/** The service variables of a pod in `namespace`, from every Service the kubelet knows. */
export function serviceEnv(
  pod: { namespace: string; enableServiceLinks?: boolean },
  services: KubeObject[],
): Map<string, string> {
  const chosen = new Map<string, KubeObject>();
  for (const s of services) {
    const ns = s.metadata.namespace ?? '';
    const name = s.metadata.name ?? '';
    if (!isServiceIPSet((s.spec ?? {}) as ServiceSpec)) continue;
    if (ns === pod.namespace && pod.enableServiceLinks !== false) chosen.set(name, s);
    else if (ns === 'default' && name === 'kubernetes' && !chosen.has(name)) chosen.set(name, s);
  }
  const env = new Map<string, string>();
  for (const name of [...chosen.keys()].sort())
    for (const [k, v] of serviceVariables(chosen.get(name)!)) env.set(k, v);
  return env;
}
