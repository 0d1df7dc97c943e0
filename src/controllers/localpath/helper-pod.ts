// The helper pods the local-path provisioner runs on a volume's node: one that creates the
// volume's directory (mode 0777, so any container user may write) and one that removes it,
// each mounting the parent directory from the host and running the configured script.
import { dirname } from 'node:path';
import type { KubeObject } from '../../api/types.js';
import { CONFIG_NAMESPACE } from './config.js';

export type HelperAction = 'create' | 'delete';

export const helperPodName = (action: HelperAction, volumeName: string) =>
  `helper-pod-${action}-${volumeName}`;

export function helperPod(opts: {
  action: HelperAction;
  volumeName: string;
  node: string;
  path: string;
  sizeBytes: string;
  script: string;
  image: string;
}): KubeObject {
  const parent = dirname(opts.path);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: helperPodName(opts.action, opts.volumeName),
      namespace: CONFIG_NAMESPACE,
      labels: { app: 'local-path-provisioner', 'k8ts.io/helper-pod': opts.action },
      // on simulated nodes a container's command never ends by itself: say how long it runs
      annotations: { 'sim.k8ts.io/run-seconds': '1' },
    },
    spec: {
      nodeName: opts.node,
      restartPolicy: 'Never',
      priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists' }],
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'helper-pod',
          image: opts.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', opts.script],
          env: [
            { name: 'VOL_DIR', value: opts.path },
            { name: 'VOL_MODE', value: 'Filesystem' },
            { name: 'VOL_SIZE_BYTES', value: opts.sizeBytes },
          ],
          volumeMounts: [{ name: 'data', mountPath: parent }],
        },
      ],
      volumes: [{ name: 'data', hostPath: { path: parent, type: 'DirectoryOrCreate' } }],
    },
  };
}
