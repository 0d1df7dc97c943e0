// metrics.k8s.io/v1beta1 (the Metrics API metrics-server serves; k8ts serves it itself):
// NodeMetrics and PodMetrics, resource usage over a short window, read by `kubectl top`.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, QUANTITY, TIME, arr, map, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const gvk = (kind: string) => [{ group: 'metrics.k8s.io', version: 'v1beta1', kind }];
const usage = (what: string) =>
  map(
    t.ref(QUANTITY),
    `${what}: cpu in cores (usually nanocores, e.g. 9559630n) and memory working set in bytes.`,
  );

const list = (kind: string, item: string) =>
  obj(
    `A list of ${item} objects.`,
    {
      apiVersion: str('The versioned schema of this list, here metrics.k8s.io/v1beta1.'),
      items: arr(t.ref(`${P}.${item}`), `The ${item} objects.`),
      kind: str(`The kind of this list, here ${kind}.`),
      metadata: ref(LIST_META, 'Metadata of the list.'),
    },
    { required: ['items'], gvk: gvk(kind) },
  );

export const metricsV1beta1Definitions: Definitions = {
  [`${P}.NodeMetrics`]: obj(
    "A node's resource usage, measured over `window` up to `timestamp`.",
    {
      apiVersion: str('The versioned schema of this object, here metrics.k8s.io/v1beta1.'),
      kind: str('The kind of this object, here NodeMetrics.'),
      metadata: ref(OBJECT_META, "The node's name and labels."),
      timestamp: ref(TIME, 'The end of the measurement window.'),
      window: str('How long the measurement window was, as a Go duration (e.g. 15.012s).'),
      usage: usage("The node's usage"),
    },
    { required: ['timestamp', 'window', 'usage'], gvk: gvk('NodeMetrics') },
  ),
  [`${P}.NodeMetricsList`]: list('NodeMetricsList', 'NodeMetrics'),
  [`${P}.PodMetrics`]: obj(
    "A pod's resource usage per container, measured over `window` up to `timestamp`.",
    {
      apiVersion: str('The versioned schema of this object, here metrics.k8s.io/v1beta1.'),
      kind: str('The kind of this object, here PodMetrics.'),
      metadata: ref(OBJECT_META, "The pod's name, namespace and labels."),
      timestamp: ref(TIME, 'The end of the measurement window.'),
      window: str('How long the measurement window was, as a Go duration (e.g. 15.012s).'),
      containers: arr(t.ref(`${P}.ContainerMetrics`), 'The usage of each container of the pod.'),
    },
    { required: ['timestamp', 'window', 'containers'], gvk: gvk('PodMetrics') },
  ),
  [`${P}.PodMetricsList`]: list('PodMetricsList', 'PodMetrics'),
  [`${P}.ContainerMetrics`]: obj(
    "One container's usage.",
    { name: str("The container's name."), usage: usage("The container's usage") },
    { required: ['name', 'usage'] },
  ),
};
