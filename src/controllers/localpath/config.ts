// The local-path provisioner's configuration, as k3s ships it: the ConfigMap
// kube-system/local-path-config with config.json (nodePathMap: where volumes live on each node)
// and the setup/teardown scripts its helper pods run on the node.
import { isRecord, type KubeObject } from '../../api/types.js';

export const PROVISIONER_NAME = 'rancher.io/local-path';
export const CONFIG_NAMESPACE = 'kube-system';
export const CONFIG_NAME = 'local-path-config';
export const DEFAULT_NODE = 'DEFAULT_PATH_FOR_NON_LISTED_NODES';

export const SETUP_SCRIPT = `#!/bin/sh
set -eu
mkdir -m 0777 -p "$VOL_DIR"
`;
export const TEARDOWN_SCRIPT = `#!/bin/sh
set -eu
rm -rf "$VOL_DIR"
`;

export interface LocalPathConfig {
  nodePathMap: { node: string; paths: string[] }[];
  setup: string;
  teardown: string;
  helperImage: string;
}

/** The ConfigMap k8ts creates at start (k3s's local-storage manifest), for `storageDir`. */
export function localPathConfigMap(storageDir: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_NAME, namespace: CONFIG_NAMESPACE },
    data: {
      'config.json': JSON.stringify({ nodePathMap: [{ node: DEFAULT_NODE, paths: [storageDir] }] }, null, 2),
      setup: SETUP_SCRIPT,
      teardown: TEARDOWN_SCRIPT,
      'helperPod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n  containers:\n  - name: helper-pod\n    image: busybox\n    imagePullPolicy: IfNotPresent\n',
    },
  };
}

/** The default StorageClass `local-path` (WaitForFirstConsumer, Delete), as k3s's. */
export function localPathStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: PROVISIONER_NAME,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

/** Reads the ConfigMap; a missing or malformed config.json throws with what is wrong. */
export function parseConfig(cm: KubeObject): LocalPathConfig {
  const raw = (cm as { data?: unknown }).data;
  const data = (isRecord(raw) ? raw : {}) as Record<string, string | undefined>;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data['config.json'] ?? '');
  } catch {
    throw new Error(`invalid config.json in configmap ${CONFIG_NAMESPACE}/${CONFIG_NAME}`);
  }
  const map = isRecord(parsed) && Array.isArray(parsed.nodePathMap) ? parsed.nodePathMap : [];
  const nodePathMap = map
    .filter(isRecord)
    .map((e) => ({ node: String(e.node ?? ''), paths: Array.isArray(e.paths) ? e.paths.map(String) : [] }));
  const image = /image:\s*(\S+)/.exec(data['helperPod.yaml'] ?? '')?.[1] ?? 'busybox';
  return {
    nodePathMap,
    setup: data.setup ?? SETUP_SCRIPT,
    teardown: data.teardown ?? TEARDOWN_SCRIPT,
    helperImage: image,
  };
}

/** The base directory for volumes on `node` (its own entry, else the default one). */
export function basePathFor(config: LocalPathConfig, node: string): string {
  const entry =
    config.nodePathMap.find((e) => e.node === node) ??
    config.nodePathMap.find((e) => e.node === DEFAULT_NODE);
  if (!entry || entry.paths.length === 0)
    throw new Error(`config doesn't contain node ${node}, and no ${DEFAULT_NODE} available`);
  return entry.paths[0];
}
