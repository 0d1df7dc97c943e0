// apiregistration.k8s.io/v1: APIService, which registers a group version served by the API
// server itself (Local) or by an extension API server behind a Service.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, TIME, arr, bool, int32, mergeList, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';
const gvk = (kind: string) => [{ group: 'apiregistration.k8s.io', version: 'v1', kind }];

export const apiregistrationV1Definitions: Definitions = {
  [`${P}.APIService`]: obj(
    'A group version served by the API server or proxied to an extension API server.',
    {
      apiVersion: str('The versioned schema of this object, here apiregistration.k8s.io/v1.'),
      kind: str('The kind of this object, here APIService.'),
      metadata: ref(OBJECT_META, "The object's name (<version>.<group>), labels and other metadata."),
      spec: ref(`${P}.APIServiceSpec`, 'Where the group version is served.'),
      status: ref(`${P}.APIServiceStatus`, 'Whether the group version is available.'),
    },
    { gvk: gvk('APIService') },
  ),
  [`${P}.APIServiceList`]: obj(
    'A list of APIService objects.',
    {
      apiVersion: str('The versioned schema of this list.'),
      items: arr(t.ref(`${P}.APIService`), 'The APIService objects.'),
      kind: str('The kind of this list, here APIServiceList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('APIServiceList') },
  ),
  [`${P}.APIServiceSpec`]: obj(
    'The group version and the Service that serves it (none for Local APIServices).',
    {
      caBundle: str('PEM bundle (base64) that verifies the extension API server serving certificate.', {
        format: 'byte',
        'x-kubernetes-list-type': 'atomic',
      }),
      group: str('The API group.'),
      groupPriorityMinimum: int32(
        'Priority of the group in discovery (higher first); at least the highest version asks.',
      ),
      insecureSkipTLSVerify: bool('Skips verifying the serving certificate (discouraged).'),
      service: ref(
        `${P}.ServiceReference`,
        'The Service in front of the extension API server; absent for Local.',
      ),
      version: str('The API version.'),
      versionPriority: int32('Priority of the version within its group (higher first).'),
    },
    { required: ['groupPriorityMinimum', 'versionPriority'] },
  ),
  [`${P}.ServiceReference`]: obj('A Service in front of an extension API server.', {
    name: str('The Service name.'),
    namespace: str('The Service namespace.'),
    port: int32('Service port (default 443).'),
  }),
  [`${P}.APIServiceStatus`]: obj('The observed state of an APIService.', {
    conditions: mergeList(t.ref(`${P}.APIServiceCondition`), 'Current conditions, e.g. Available.', ['type']),
  }),
  [`${P}.APIServiceCondition`]: obj(
    'A condition of an APIService.',
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('Why the condition has its status, for humans.'),
      reason: str('Why the condition has its status, as one CamelCase word.'),
      status: str('True, False or Unknown.'),
      type: str('The condition type, e.g. Available.'),
    },
    { required: ['type', 'status'] },
  ),
};
