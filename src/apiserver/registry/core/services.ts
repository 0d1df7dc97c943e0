// services (svc): defaults, ClusterIP / NodePort allocation and release, what an update keeps
// of the allocated values, and upstream's table.
import { isIP } from 'node:net';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { dns1035Label } from '../meta-validation.js';
import type { StrategyContext } from '../strategy.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  clusterIPsOf,
  isHeadless,
  serviceSpec as spec,
  servicePorts as ports,
  usesNodePorts,
  validateService,
  validateServiceUpdate,
  type ServicePort,
} from './service-validation.js';
import { mapSelectorText } from './workload-columns.js';

type Obj = Record<string, unknown>;

const needsClusterIP = (s: KubeObject) => spec(s).type !== 'ExternalName' && !isHeadless(s);
/** Node ports are allocated for NodePort services, and for LoadBalancers unless switched off. */
const allocatesNodePorts = (s: KubeObject) =>
  spec(s).type === 'NodePort' ||
  (spec(s).type === 'LoadBalancer' && spec(s).allocateLoadBalancerNodePorts !== false);
const samePort = (a: ServicePort, b: ServicePort) => a.port === b.port && a.protocol === b.protocol;

function defaults(s: KubeObject): void {
  const sp = ensureObject<Obj>(s, 'spec');
  setDefault(sp, 'sessionAffinity', 'None');
  if (sp.sessionAffinity === 'None') delete sp.sessionAffinityConfig;
  if (sp.sessionAffinity === 'ClientIP') {
    const cfg = isRecord(sp.sessionAffinityConfig) ? sp.sessionAffinityConfig : undefined;
    if (!isRecord(cfg?.clientIP) || cfg.clientIP.timeoutSeconds === undefined)
      sp.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefault(sp, 'type', 'ClusterIP');
  for (const p of ports(s)) {
    setDefault(p as Obj, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (usesNodePorts(s)) setDefault(sp, 'externalTrafficPolicy', 'Cluster');
  if (sp.type !== 'ExternalName') setDefault(sp, 'internalTrafficPolicy', 'Cluster');
  if (sp.type === 'LoadBalancer') {
    setDefault(sp, 'allocateLoadBalancerNodePorts', true);
    const ingress =
      isRecord(s.status) && isRecord(s.status.loadBalancer) ? s.status.loadBalancer.ingress : [];
    for (const ing of Array.isArray(ingress) ? ingress.filter(isRecord) : [])
      if (ing.ip) setDefault(ing, 'ipMode', 'VIP');
  }
  // clusterIP and clusterIPs describe the same thing: fill one from the other
  const ips = clusterIPsOf(s);
  if (typeof sp.clusterIP === 'string' && sp.clusterIP !== '' && ips.length === 0)
    sp.clusterIPs = [sp.clusterIP];
  else if ((sp.clusterIP === undefined || sp.clusterIP === '') && ips.length) sp.clusterIP = ips[0];
}

/** An update keeps what was allocated unless the type change makes it meaningless (upstream's patchAllocatedValues / dropTypeDependentFields). */
function prepareForUpdate(s: KubeObject, old: KubeObject): void {
  const sp = ensureObject<Obj>(s, 'spec');
  const prev = spec(old);
  if (needsClusterIP(old) && sp.type !== 'ExternalName' && !isHeadless(s)) {
    if (sp.clusterIP === undefined || sp.clusterIP === '') sp.clusterIP = prev.clusterIP;
    if (!clusterIPsOf(s).length && clusterIPsOf(old).length) sp.clusterIPs = clusterIPsOf(old);
    setDefault(sp, 'ipFamilies', prev.ipFamilies);
    setDefault(sp, 'ipFamilyPolicy', prev.ipFamilyPolicy);
  }
  if (usesNodePorts(old) && usesNodePorts(s)) {
    for (const p of ports(s)) {
      const before = ports(old).find((o) => samePort(o, p));
      if (!p.nodePort && before?.nodePort) p.nodePort = before.nodePort;
    }
  }
  if (sp.type === 'ExternalName' && prev.type !== 'ExternalName') {
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'])
      if (JSON.stringify(sp[k]) === JSON.stringify(prev[k])) delete sp[k];
  }
  if (!usesNodePorts(s)) {
    for (const p of ports(s)) {
      const before = ports(old).find((o) => samePort(o, p));
      if (p.nodePort && before?.nodePort === p.nodePort) delete p.nodePort;
    }
    delete sp.externalTrafficPolicy;
  }
}

function allocate(s: KubeObject, old: KubeObject | undefined, ctx: StrategyContext): () => void {
  const sp = ensureObject<Obj>(s, 'spec');
  const a = ctx.allocators;
  const undo: (() => void)[] = [];
  const keptIPs = new Set(old ? clusterIPsOf(old) : []);
  const keptPorts = new Set(old ? ports(old).map((p) => p.nodePort ?? 0) : []);
  try {
    if (sp.type !== 'ExternalName') {
      if (isHeadless(s)) {
        sp.clusterIPs = ['None'];
        const selectorless = !isRecord(sp.selector) || Object.keys(sp.selector).length === 0;
        setDefault(sp, 'ipFamilyPolicy', selectorless ? 'RequireDualStack' : 'SingleStack');
      } else {
        const wanted = typeof sp.clusterIP === 'string' && sp.clusterIP !== '' ? sp.clusterIP : undefined;
        if (!wanted || !keptIPs.has(wanted)) {
          const family = wanted && isIP(wanted) === 6 ? 'IPv6' : 'IPv4';
          const ip = a.allocateServiceIP(family, wanted);
          undo.push(() => a.releaseServiceIP(ip));
          sp.clusterIP = ip;
          sp.clusterIPs = [ip];
        }
        setDefault(sp, 'ipFamilyPolicy', 'SingleStack');
      }
      const primary = typeof sp.clusterIP === 'string' && isIP(sp.clusterIP) === 6 ? 'IPv6' : 'IPv4';
      setDefault(sp, 'ipFamilies', [primary]);
    }
    if (allocatesNodePorts(s)) {
      for (const p of ports(s)) {
        if (p.nodePort && keptPorts.has(p.nodePort)) continue;
        const n = a.allocateNodePort(p.nodePort || undefined);
        undo.push(() => a.releaseNodePort(n));
        p.nodePort = n;
      }
    }
  } catch (err) {
    undo.forEach((u) => u());
    throw err;
  }
  // what the old object held and the new one no longer does is freed now, and taken back on undo
  if (old) {
    const nowIPs = new Set(clusterIPsOf(s));
    const nowPorts = new Set(ports(s).map((p) => p.nodePort ?? 0));
    for (const ip of clusterIPsOf(old)) {
      if (ip === 'None' || nowIPs.has(ip)) continue;
      a.releaseServiceIP(ip);
      undo.push(() => a.allocateServiceIP(isIP(ip) === 6 ? 'IPv6' : 'IPv4', ip));
    }
    for (const p of ports(old)) {
      if (!p.nodePort || nowPorts.has(p.nodePort)) continue;
      const n = p.nodePort;
      a.releaseNodePort(n);
      undo.push(() => a.allocateNodePort(n));
    }
  }
  return () => undo.reverse().forEach((u) => u());
}

function release(s: KubeObject, ctx: StrategyContext): void {
  for (const ip of clusterIPsOf(s)) if (ip !== 'None') ctx.allocators.releaseServiceIP(ip);
  for (const p of ports(s)) if (p.nodePort) ctx.allocators.releaseNodePort(p.nodePort);
}

function portsText(s: KubeObject): string {
  const text = ports(s)
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`))
    .join(',');
  return text || '<none>';
}

function externalIPText(s: KubeObject): string {
  const sp = spec(s);
  const external = Array.isArray(sp.externalIPs) ? (sp.externalIPs as string[]) : [];
  switch (sp.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = isRecord(s.status) && isRecord(s.status.loadBalancer) ? s.status.loadBalancer.ingress : [];
      const ingress = (Array.isArray(lb) ? lb.filter(isRecord) : [])
        .map((i) => String(i.ip || i.hostname || ''))
        .filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return String(sp.externalName ?? '');
    default:
      return '<unknown>';
  }
}

export const services = defineResource({
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  definition: 'io.k8s.api.core.v1.Service',
  status: true,
  returnDeletedObject: true,
  nameValidator: dns1035Label,
  defaults,
  prepareForCreate(s) {
    s.status = { loadBalancer: {} };
  },
  prepareForUpdate,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  allocate,
  release,
  table: {
    columns: [
      nameColumn,
      col('Type', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
      col('Cluster-IP', 'The virtual IP of the service inside the cluster.'),
      col('External-IP', 'Addresses the service is reachable at from outside the cluster.'),
      col('Port(s)', 'Service ports, with node ports where allocated.'),
      ageColumn,
      col('Selector', 'Labels of the pods that back the service.', 1),
    ],
    cells: (s, now) => [
      s.metadata.name,
      String(spec(s).type ?? ''),
      clusterIPsOf(s)[0] ?? '<none>',
      externalIPText(s),
      portsText(s),
      age(s.metadata.creationTimestamp, now),
      mapSelectorText(spec(s).selector),
    ],
  },
});
