// PodSecurityConfiguration (pod-security.admission.config.k8s.io), PodSecurity's part of
// --admission-control-config-file: the policy of namespaces without labels (`defaults`) and who
// is never checked (`exemptions`: usernames, namespaces, runtimeClasses).
import { isRecord } from '../../../api/types.js';
import { parseLevel, parseVersion, type Policy } from './policy.js';

const API_VERSIONS = [
  'pod-security.admission.config.k8s.io/v1',
  'pod-security.admission.config.k8s.io/v1beta1',
  'pod-security.admission.config.k8s.io/v1alpha1',
];

export interface PodSecurityConfig {
  defaults: Policy;
  exemptions: { usernames: Set<string>; namespaces: Set<string>; runtimeClasses: Set<string> };
}

export const DEFAULT_POD_SECURITY_CONFIG: PodSecurityConfig = {
  defaults: {
    enforce: { level: 'privileged', minor: undefined },
    audit: { level: 'privileged', minor: undefined },
    warn: { level: 'privileged', minor: undefined },
  },
  exemptions: { usernames: new Set(), namespaces: new Set(), runtimeClasses: new Set() },
};

function strings(value: unknown, path: string, errors: string[]): Set<string> {
  if (value === undefined || value === null) return new Set();
  if (!Array.isArray(value)) {
    errors.push(`${path}: Invalid value: must be a list of strings`);
    return new Set();
  }
  value.forEach((v, i) => {
    if (typeof v !== 'string' || !v)
      errors.push(`${path}[${i}]: Invalid value: ${JSON.stringify(v)}: must not be empty`);
  });
  return new Set(value.filter((v): v is string => typeof v === 'string'));
}

/** Parses and validates the plugin's configuration; throws every problem at once. */
export function parsePodSecurityConfig(config: Record<string, unknown> | undefined): PodSecurityConfig {
  if (!config) return DEFAULT_POD_SECURITY_CONFIG;
  const errors: string[] = [];
  if (config.kind !== 'PodSecurityConfiguration' || !API_VERSIONS.includes(String(config.apiVersion)))
    errors.push(`want kind PodSecurityConfiguration of ${API_VERSIONS.join(', ')}`);
  const defaults = isRecord(config.defaults) ? config.defaults : {};
  const policy: Policy = structuredClone(DEFAULT_POD_SECURITY_CONFIG.defaults);
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = defaults[mode];
    if (level !== undefined) {
      const parsed = parseLevel(String(level));
      if (parsed.error) errors.push(`defaults.${mode}: Invalid value: "${String(level)}": ${parsed.error}`);
      else policy[mode].level = parsed.level;
    }
    const version = defaults[`${mode}-version`];
    if (version !== undefined) {
      const parsed = parseVersion(String(version));
      if (parsed.error)
        errors.push(`defaults.${mode}-version: Invalid value: "${String(version)}": ${parsed.error}`);
      else policy[mode].minor = parsed.minor;
    }
  }
  const ex = isRecord(config.exemptions) ? config.exemptions : {};
  const exemptions = {
    usernames: strings(ex.usernames, 'exemptions.usernames', errors),
    namespaces: strings(ex.namespaces, 'exemptions.namespaces', errors),
    runtimeClasses: strings(ex.runtimeClasses, 'exemptions.runtimeClasses', errors),
  };
  if (errors.length) throw new Error(`PodSecurity invalid: ${errors.join(', ')}`);
  return { defaults: policy, exemptions };
}
