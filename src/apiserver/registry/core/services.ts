// services (svc): defaults, ClusterIP / NodePort allocation, upstream's table.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { dns1035Label } from '../meta-validation.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, notSupported, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
interface Port {
  name?: string;
  port?: number;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
}
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const spec = (s: KubeObject) => (s.spec ?? {}) as Obj;
const ports = (s: KubeObject) => (spec(s).ports as Port[] | undefined) ?? [];
const usesNodePorts = (s: KubeObject) => spec(s).type === 'NodePort' || spec(s).type === 'LoadBalancer';
const headless = (s: KubeObject) => spec(s).clusterIP === 'None';

function portsText(s: KubeObject): string {
  const ps = ports(s);
  if (!ps.length) return '<none>';
  return ps.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}

function externalIP(s: KubeObject): string {
  const sp = spec(s);
  const ext = (sp.externalIPs as string[] | undefined) ?? [];
  if (sp.type === 'ExternalName') return String(sp.externalName ?? '');
  if (sp.type === 'LoadBalancer') {
    const ing = ((s.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip || i.hostname || '')
      .filter(Boolean);
    const all = [...ing, ...ext];
    return all.length ? all.join(',') : '<pending>';
  }
  return ext.length ? ext.join(',') : '<none>';
}

function validate(s: KubeObject): FieldError[] {
  const sp = spec(s);
  const errs: FieldError[] = [];
  if (sp.type !== undefined && !TYPES.includes(String(sp.type))) errs.push(notSupported('spec.type', sp.type, TYPES));
  if (sp.type !== 'ExternalName' && ports(s).length === 0 && !headless(s)) errs.push(required('spec.ports'));
  const names = new Set<string>();
  ports(s).forEach((p, i) => {
    if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535) errs.push(invalidValue(`spec.ports[${i}].port`, p.port ?? 0, 'must be between 1 and 65535, inclusive'));
    if (ports(s).length > 1 && !p.name) errs.push(required(`spec.ports[${i}].name`));
    if (p.name) {
      if (names.has(p.name)) errs.push({ type: 'FieldValueDuplicate', field: `spec.ports[${i}].name`, value: p.name });
      names.add(p.name);
    }
    if (!['TCP', 'UDP', 'SCTP'].includes(String(p.protocol))) errs.push(notSupported(`spec.ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  if (sp.type === 'ExternalName' && !sp.externalName) errs.push(required('spec.externalName'));
  return errs;
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
  defaults(s) {
    const sp = ensureObject<Obj>(s, 'spec');
    setDefault(sp, 'type', 'ClusterIP');
    setDefault(sp, 'sessionAffinity', 'None');
    if (sp.sessionAffinity === 'ClientIP') setDefault(sp, 'sessionAffinityConfig', { clientIP: { timeoutSeconds: 10800 } });
    for (const p of ports(s)) {
      setDefault(p as Obj, 'protocol', 'TCP');
      setDefault(p as Obj, 'targetPort', p.port);
    }
    if (sp.type !== 'ExternalName') {
      setDefault(sp, 'internalTrafficPolicy', 'Cluster');
      if (usesNodePorts(s)) setDefault(sp, 'externalTrafficPolicy', 'Cluster');
      if (sp.type === 'LoadBalancer') setDefault(sp, 'allocateLoadBalancerNodePorts', true);
    }
  },
  prepareForCreate(s) {
    s.status = { loadBalancer: {} };
  },
  validate,
  validateUpdate(s, old) {
    const a = spec(s).clusterIP;
    const b = spec(old).clusterIP;
    if (b && b !== 'None' && a !== undefined && a !== '' && a !== b && spec(s).type !== 'ExternalName') {
      return [invalidValue('spec.clusterIPs[0]', [a], 'may not change once set')];
    }
    return [];
  },
  allocate(s, old, ctx) {
    const sp = ensureObject<Obj>(s, 'spec');
    const undo: (() => void)[] = [];
    if (sp.type !== 'ExternalName') {
      const keep = old && isRecord(old.spec) ? (old.spec.clusterIPs as string[] | undefined) : undefined;
      if (keep?.length && (sp.clusterIP === undefined || sp.clusterIP === '' || sp.clusterIP === keep[0])) {
        sp.clusterIP = keep[0];
        sp.clusterIPs = keep;
      } else if (sp.clusterIP === 'None') sp.clusterIPs = ['None'];
      else {
        const ip = ctx.allocators.allocateServiceIP('IPv4', (sp.clusterIP as string) || undefined);
        undo.push(() => ctx.allocators.releaseServiceIP(ip));
        sp.clusterIP = ip;
        sp.clusterIPs = [ip];
      }
      setDefault(sp, 'ipFamilies', ['IPv4']);
      setDefault(sp, 'ipFamilyPolicy', 'SingleStack');
    }
    if (usesNodePorts(s)) {
      const oldPorts = old ? ports(old) : [];
      for (const p of ports(s)) {
        const prev = oldPorts.find((o) => o.port === p.port && o.protocol === p.protocol)?.nodePort;
        if (p.nodePort && p.nodePort === prev) continue;
        const n = ctx.allocators.allocateNodePort(p.nodePort || undefined);
        undo.push(() => ctx.allocators.releaseNodePort(n));
        p.nodePort = n;
      }
    }
    return () => undo.forEach((u) => u());
  },
  release(s, ctx) {
    for (const ip of (spec(s).clusterIPs as string[] | undefined) ?? []) if (ip !== 'None') ctx.allocators.releaseServiceIP(ip);
    for (const p of ports(s)) if (p.nodePort) ctx.allocators.releaseNodePort(p.nodePort);
  },
  table: {
    columns: [
      nameColumn,
      col('Type', 'The type of the service.'),
      col('Cluster-IP', 'The cluster IP of the service.'),
      col('External-IP', 'External addresses of the service.'),
      col('Port(s)', 'The ports the service exposes.'),
      ageColumn,
      col('Selector', 'The label selector of the pods behind the service.', 1),
    ],
    cells: (s, now) => {
      const sel = Object.entries((spec(s).selector as Record<string, string>) ?? {}).map(([k, v]) => `${k}=${v}`);
      return [s.metadata.name, spec(s).type, (spec(s).clusterIP as string) || '<none>', externalIP(s), portsText(s), age(s.metadata.creationTimestamp, now), sel.length ? sel.join(',') : '<none>'];
    },
  },
});
