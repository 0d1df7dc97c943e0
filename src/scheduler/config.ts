// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) as far as k8ts honours it:
// profiles with their schedulerName, score plugin weights (plugins.score.enabled[].weight),
// disabled plugins (plugins.<point>.disabled[].name, "*" not supported), and the
// NodeResourcesFit scoring strategy (LeastAllocated or MostAllocated). Anything malformed is
// an error naming the file and the field.
import { parse as parseYAML } from 'yaml';
import { isRecord } from '../api/types.js';
import type { ProfileOptions } from './profile.js';

const API_VERSION = 'kubescheduler.config.k8s.io/v1';

function fail(file: string, msg: string): never {
  throw new Error(`${file}: ${msg}`);
}

export function profilesFromConfig(text: string, file = 'config'): ProfileOptions[] {
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (err) {
    fail(file, `not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  if (!isRecord(doc)) fail(file, 'not a KubeSchedulerConfiguration object');
  if (doc.apiVersion !== API_VERSION || doc.kind !== 'KubeSchedulerConfiguration')
    fail(file, `want apiVersion ${API_VERSION} and kind KubeSchedulerConfiguration`);
  const profiles = doc.profiles ?? [{}];
  if (!Array.isArray(profiles) || profiles.length === 0) fail(file, 'profiles: must be a non-empty list');
  const names = new Set<string>();
  return profiles.map((p: unknown, i: number) => {
    const at = `profiles[${i}]`;
    if (!isRecord(p)) fail(file, `${at}: must be an object`);
    const out: ProfileOptions = { schedulerName: 'default-scheduler', weights: {}, disabled: [] };
    if (p.schedulerName !== undefined) {
      if (typeof p.schedulerName !== 'string' || !p.schedulerName)
        fail(file, `${at}.schedulerName: must be a string`);
      out.schedulerName = p.schedulerName;
    }
    if (names.has(out.schedulerName!))
      fail(file, `${at}.schedulerName: Duplicate value: "${out.schedulerName}"`);
    names.add(out.schedulerName!);
    const plugins = p.plugins ?? {};
    if (!isRecord(plugins)) fail(file, `${at}.plugins: must be an object`);
    for (const [point, set] of Object.entries(plugins)) {
      if (!isRecord(set)) fail(file, `${at}.plugins.${point}: must be an object`);
      for (const [j, e] of (Array.isArray(set.disabled) ? set.disabled : []).entries()) {
        if (!isRecord(e) || typeof e.name !== 'string')
          fail(file, `${at}.plugins.${point}.disabled[${j}].name: required`);
        if (e.name === '*')
          fail(file, `${at}.plugins.${point}.disabled[${j}].name: "*" is not supported by k8ts`);
        out.disabled!.push(e.name);
      }
      if (point !== 'score') continue;
      for (const [j, e] of (Array.isArray(set.enabled) ? set.enabled : []).entries()) {
        if (!isRecord(e) || typeof e.name !== 'string')
          fail(file, `${at}.plugins.score.enabled[${j}].name: required`);
        if (
          e.weight !== undefined &&
          (typeof e.weight !== 'number' || e.weight < 0 || !Number.isInteger(e.weight))
        )
          fail(file, `${at}.plugins.score.enabled[${j}].weight: must be a non-negative integer`);
        if (typeof e.weight === 'number') out.weights![e.name] = e.weight;
      }
    }
    for (const [j, pc] of (Array.isArray(p.pluginConfig) ? p.pluginConfig : []).entries()) {
      if (!isRecord(pc) || pc.name !== 'NodeResourcesFit' || !isRecord(pc.args)) continue;
      const strategy = isRecord(pc.args.scoringStrategy) ? pc.args.scoringStrategy.type : undefined;
      if (strategy === undefined) continue;
      if (strategy !== 'LeastAllocated' && strategy !== 'MostAllocated')
        fail(
          file,
          `${at}.pluginConfig[${j}].args.scoringStrategy.type: Unsupported value: "${String(strategy)}": supported values: "LeastAllocated", "MostAllocated"`,
        );
      out.scoringStrategy = strategy;
    }
    return out;
  });
}
