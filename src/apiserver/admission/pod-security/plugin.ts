// PodSecurity admission (k8s.io/pod-security-admission/admission): pods are held to their
// namespace's enforce level (refused), warn level (a warning) — pod templates of workloads
// only get the warning; namespaces must carry valid pod-security labels, and tightening a
// namespace's enforce level warns about the pods already there that would break it.
// Audit annotations (pod-security.kubernetes.io/enforce-policy, audit-violations, exempt, error)
// go on the request's audit event. --admission-control-config-file's PodSecurityConfiguration
// sets the policy of unlabelled modes and the exempt usernames, namespaces and runtimeClasses.
import { invalid } from '../../../api/errors.js';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { errorBody, errorText, invalidValue } from '../../registry/validation.js';
import { admissionForbidden, aggregateMessage } from '../errors.js';
import { getObject, listObjects } from '../lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from '../types.js';
import { rec, records, type Obj } from './checks.js';
import { DEFAULT_POD_SECURITY_CONFIG, type PodSecurityConfig } from './config.js';
import {
  evaluatePod,
  forbiddenDetail,
  forbiddenReason,
  fullyPrivileged,
  LABEL_PREFIX,
  levelVersionString,
  namespacePolicy,
  rank,
  type LabelError,
  type LevelVersion,
  type Policy,
} from './policy.js';

/** Pod subresources PodSecurity never looks at (ignoredPodSubresources). */
const IGNORED_POD_SUBRESOURCES = new Set([
  'exec',
  'attach',
  'binding',
  'eviction',
  'log',
  'portforward',
  'proxy',
  'status',
]);
/** namespaceMaxPodsToCheck */
const MAX_PODS_TO_CHECK = 3000;

/** Where each workload keeps its pod template (DefaultPodSpecExtractor). */
const TEMPLATE_PATHS: Record<string, string[]> = {
  replicationcontrollers: ['spec', 'template'],
  podtemplates: ['template'],
  'replicasets.apps': ['spec', 'template'],
  'deployments.apps': ['spec', 'template'],
  'statefulsets.apps': ['spec', 'template'],
  'daemonsets.apps': ['spec', 'template'],
  'jobs.batch': ['spec', 'template'],
  'cronjobs.batch': ['spec', 'jobTemplate', 'spec', 'template'],
};

function template(obj: KubeObject | undefined, path: string[]): { meta: Obj; spec: Obj } | undefined {
  let cur: unknown = obj;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  if (!isRecord(cur)) return undefined;
  return { meta: rec(cur.metadata) ?? {}, spec: rec(cur.spec) ?? {} };
}

/** isSignificantPodUpdate: only image and seccomp annotation changes can change the verdict. */
function significantPodUpdate(pod: KubeObject, old: KubeObject): boolean {
  const ann = pod.metadata.annotations ?? {};
  const oldAnn = old.metadata.annotations ?? {};
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  if (ann[podKey] !== oldAnn[podKey]) return true;
  const spec = rec(pod.spec) ?? {};
  const oldSpec = rec(old.spec) ?? {};
  const changed = (c: Obj, o: Obj | undefined) => {
    if (!o || c.image !== o.image) return true;
    const key = `container.seccomp.security.alpha.kubernetes.io/${String(c.name)}`;
    return ann[key] !== oldAnn[key];
  };
  for (const list of ['containers', 'initContainers']) {
    const now = records(spec[list]);
    const before = records(oldSpec[list]);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => changed(c, before[i]))) return true;
  }
  const oldEphemeral = records(oldSpec.ephemeralContainers);
  return records(spec.ephemeralContainers).some((c) =>
    changed(
      c,
      oldEphemeral.find((o) => o.name === c.name),
    ),
  );
}

function annotate(req: AdmissionRequest, key: string, value: string): void {
  req.ctx.addAuditAnnotation?.(LABEL_PREFIX + key, value);
}

/** The label errors as upstream's field.ErrorList aggregate. */
function policyError(errors: LabelError[]): string {
  return aggregateMessage(
    errors.map((e) => errorText(invalidValue(`metadata.labels[${e.label}]`, e.value, e.detail))),
  );
}

export function podSecurity(
  deps: AdmissionDeps,
  config: PodSecurityConfig = DEFAULT_POD_SECURITY_CONFIG,
): AdmissionPlugin {
  const { exemptions } = config;
  async function policyOf(namespace: string): Promise<{ policy: Policy; errors: LabelError[] } | undefined> {
    const ns = await getObject(deps, '', 'namespaces', '', namespace);
    // upstream lets the request through when the namespace cannot be read
    return ns ? namespacePolicy(ns.metadata.labels, config.defaults) : undefined;
  }

  /** exemptNamespace, then exemptUser: true (and the exempt annotation) when exempt. */
  function exempt(req: AdmissionRequest): boolean {
    const why =
      req.namespace && exemptions.namespaces.has(req.namespace)
        ? 'namespace'
        : req.user.name && exemptions.usernames.has(req.user.name)
          ? 'user'
          : undefined;
    if (why) annotate(req, 'exempt', why);
    return why !== undefined;
  }

  const exemptRuntimeClass = (spec: Obj) =>
    typeof spec.runtimeClassName === 'string' &&
    spec.runtimeClassName !== '' &&
    exemptions.runtimeClasses.has(spec.runtimeClassName);

  /**
   * EvaluatePod: enforce refuses (pods only), audit annotates the audit event, warn adds a
   * warning when enforce let it through.
   */
  function evaluate(
    req: AdmissionRequest,
    { policy, errors }: { policy: Policy; errors: LabelError[] },
    meta: Obj,
    spec: Obj,
    enforce: boolean,
  ): void {
    if (exemptRuntimeClass(spec)) return annotate(req, 'exempt', 'runtimeClass');
    if (errors.length) annotate(req, 'error', `Failed to parse policy: ${policyError(errors)}`);
    const cache = new Map<string, ReturnType<typeof evaluatePod>>();
    const run = (lv: LevelVersion) => {
      const key = levelVersionString(lv);
      let results = cache.get(key);
      if (!results) cache.set(key, (results = evaluatePod(lv, meta, spec)));
      return results;
    };
    let refusal: Error | undefined;
    if (enforce) {
      annotate(req, 'enforce-policy', levelVersionString(policy.enforce));
      const results = run(policy.enforce);
      if (results.length)
        refusal = admissionForbidden(
          req,
          `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(results)}`,
        );
    }
    const audit = run(policy.audit);
    if (audit.length)
      annotate(
        req,
        'audit-violations',
        `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(audit)}`,
      );
    if (refusal) throw refusal;
    const warn = run(policy.warn);
    if (warn.length)
      req.ctx.warnings.push(
        `would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warn)}`,
      );
  }

  async function validatePod(req: AdmissionRequest): Promise<void> {
    if (IGNORED_POD_SUBRESOURCES.has(req.subresource)) return;
    if (exempt(req)) return;
    const evaluated = await policyOf(req.namespace);
    if (!evaluated || (!evaluated.errors.length && fullyPrivileged(evaluated.policy))) return;
    const pod = req.object!;
    if (req.operation === 'UPDATE' && req.oldObject && !significantPodUpdate(pod, req.oldObject)) return;
    evaluate(req, evaluated, pod.metadata as Obj, rec(pod.spec) ?? {}, true);
  }

  async function validateController(req: AdmissionRequest, path: string[]): Promise<void> {
    if (req.subresource !== '') return;
    if (exempt(req)) return;
    const evaluated = await policyOf(req.namespace);
    if (!evaluated) return;
    const { policy, errors } = evaluated;
    if (!errors.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    const tpl = template(req.object, path);
    if (!tpl) return;
    if (req.operation === 'UPDATE') {
      const old = template(req.oldObject, path);
      if (old && JSON.stringify(old) === JSON.stringify(tpl)) return;
    }
    evaluate(req, evaluated, tpl.meta, tpl.spec, false);
  }

  /** EvaluatePodsInNamespace: which pods the new enforce level would refuse. */
  async function existingPodWarnings(namespace: string, enforce: LevelVersion): Promise<string[]> {
    const all = await listObjects(deps, '', 'pods', namespace);
    const pods = all.slice(0, MAX_PODS_TO_CHECK);
    const byWarning = new Map<string, { name: string; count: number }>();
    for (const pod of pods) {
      if (exemptRuntimeClass(rec(pod.spec) ?? {})) continue;
      const results = evaluatePod(enforce, pod.metadata as Obj, rec(pod.spec) ?? {});
      if (!results.length) continue;
      const w = forbiddenReason(results);
      const seen = byWarning.get(w);
      if (!seen) byWarning.set(w, { name: pod.metadata.name!, count: 1 });
      else {
        seen.count++;
        if (pod.metadata.name! < seen.name) seen.name = pod.metadata.name!;
      }
    }
    const out: string[] = [];
    if (pods.length < all.length)
      out.push(
        `new PodSecurity enforce level only checked against the first ${pods.length} of ${all.length} existing pods`,
      );
    if (byWarning.size)
      out.push(
        `existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`,
      );
    const decorated = [...byWarning].map(([w, { name, count }]) => {
      if (count === 1) return `${name}: ${w}`;
      if (count === 2) return `${name} (and 1 other pod): ${w}`;
      return `${name} (and ${count - 1} other pods): ${w}`;
    });
    return [...out, ...decorated.sort()];
  }

  async function validateNamespace(req: AdmissionRequest): Promise<void> {
    if (req.subresource !== '') return;
    const ns = req.object!;
    const { policy, errors } = namespacePolicy(ns.metadata.labels, config.defaults);
    const refuse = () => {
      const errs = errors.map((e) => invalidValue(`metadata.labels[${e.label}]`, e.value, e.detail));
      return invalid(
        '',
        'Namespace',
        ns.metadata.name ?? '',
        errs.map((e) => ({ type: e.type, field: e.field, message: errorBody(e), text: errorText(e) })),
      );
    };
    if (req.operation === 'CREATE') {
      if (errors.length) throw refuse();
      return;
    }
    const old = namespacePolicy(req.oldObject?.metadata.labels, config.defaults);
    if (errors.length && (old.errors.length === 0 || JSON.stringify(errors) !== JSON.stringify(old.errors)))
      throw refuse();
    const [now, before] = [policy.enforce, old.policy.enforce];
    if (now.level === before.level && now.minor === before.minor) return;
    if (now.level === 'privileged') return;
    if (now.minor === before.minor && rank(now.level) <= rank(before.level)) return;
    if (exemptions.namespaces.has(ns.metadata.name ?? '')) return annotate(req, 'exempt', 'namespace');
    req.ctx.warnings.push(...(await existingPodWarnings(ns.metadata.name!, now)));
  }

  return {
    name: 'PodSecurity',
    async validate(req) {
      if (!req.object || (req.operation !== 'CREATE' && req.operation !== 'UPDATE')) return;
      const gr = req.group ? `${req.resource}.${req.group}` : req.resource;
      if (gr === 'namespaces') return validateNamespace(req);
      if (gr === 'pods') return validatePod(req);
      const path = TEMPLATE_PATHS[gr];
      if (path) return validateController(req, path);
    },
  };
}
