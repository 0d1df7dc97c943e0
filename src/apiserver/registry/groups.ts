// The resources of every non-core API group, in upstream's discovery order within each group.
import type { ResourceStrategy } from './strategy.js';
import { controllerrevisions } from './apps/controllerrevisions.js';
import { daemonsets } from './apps/daemonsets.js';
import { deployments } from './apps/deployments.js';
import { replicasets } from './apps/replicasets.js';
import { statefulsets } from './apps/statefulsets.js';
import {
  horizontalpodautoscalersV1,
  horizontalpodautoscalersV2,
} from './autoscaling/horizontalpodautoscalers.js';
import { localsubjectaccessreviews } from './authorization/localsubjectaccessreviews.js';
import { selfsubjectaccessreviews } from './authorization/selfsubjectaccessreviews.js';
import { selfsubjectrulesreviews } from './authorization/selfsubjectrulesreviews.js';
import { subjectaccessreviews } from './authorization/subjectaccessreviews.js';
import { selfsubjectreviews } from './authentication/selfsubjectreviews.js';
import { tokenreviews } from './authentication/tokenreviews.js';
import {
  mutatingwebhookconfigurations,
  validatingwebhookconfigurations,
} from './admissionregistration/webhookconfigurations.js';
import {
  validatingadmissionpolicies,
  validatingadmissionpolicybindings,
} from './admissionregistration/validatingadmissionpolicies.js';
import { apiservices } from './apiregistration/apiservices.js';
import { cronjobs } from './batch/cronjobs.js';
import { jobs } from './batch/jobs.js';
import { certificatesigningrequests } from './certificates/certificatesigningrequests.js';
import { leases } from './coordination/leases.js';
import { endpointslices } from './discovery/endpointslices.js';
import { customresourcedefinitions } from './apiextensions/customresourcedefinitions.js';
import { eventsV1 } from './events/events.js';
import { ingressclasses } from './networking/ingressclasses.js';
import { ingresses } from './networking/ingresses.js';
import { networkpolicies } from './networking/networkpolicies.js';
import { runtimeclasses } from './node/runtimeclasses.js';
import { poddisruptionbudgets } from './policy/poddisruptionbudgets.js';
import { clusterrolebindings } from './rbac/clusterrolebindings.js';
import { clusterroles } from './rbac/clusterroles.js';
import { rolebindings } from './rbac/rolebindings.js';
import { roles } from './rbac/roles.js';
import { priorityclasses } from './scheduling/priorityclasses.js';
import { csidrivers } from './storage/csidrivers.js';
import { csinodes } from './storage/csinodes.js';
import { storageclasses } from './storage/storageclasses.js';
import { volumeattachments } from './storage/volumeattachments.js';
import { nodeMetrics, podMetrics } from './metrics/metrics.js';

export const groupStrategies: ResourceStrategy[] = [
  apiservices,
  controllerrevisions,
  daemonsets,
  deployments,
  replicasets,
  statefulsets,
  eventsV1,
  localsubjectaccessreviews,
  selfsubjectaccessreviews,
  selfsubjectrulesreviews,
  subjectaccessreviews,
  selfsubjectreviews,
  tokenreviews,
  horizontalpodautoscalersV2,
  horizontalpodautoscalersV1,
  cronjobs,
  jobs,
  certificatesigningrequests,
  ingressclasses,
  ingresses,
  networkpolicies,
  poddisruptionbudgets,
  clusterrolebindings,
  clusterroles,
  rolebindings,
  roles,
  csidrivers,
  csinodes,
  storageclasses,
  volumeattachments,
  mutatingwebhookconfigurations,
  validatingwebhookconfigurations,
  validatingadmissionpolicies,
  validatingadmissionpolicybindings,
  priorityclasses,
  leases,
  runtimeclasses,
  endpointslices,
  customresourcedefinitions,
  // served by k8ts itself where upstream aggregates metrics-server: listed last, as aggregated groups are
  nodeMetrics,
  podMetrics,
];
