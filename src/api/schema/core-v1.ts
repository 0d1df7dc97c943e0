// Every core/v1 definition (the "" API group), assembled from one file per area.
import type { Definitions } from './dsl.js';
import { configDefinitions } from './core-v1-config.js';
import { containerDefinitions } from './core-v1-container.js';
import { containerStatusDefinitions } from './core-v1-container-status.js';
import { nodeDefinitions } from './core-v1-node.js';
import { persistentVolumeDefinitions } from './core-v1-persistent-volume.js';
import { podDefinitions } from './core-v1-pod.js';
import { policyDefinitions } from './core-v1-policy.js';
import { probeDefinitions } from './core-v1-probe.js';
import { schedulingDefinitions } from './core-v1-scheduling.js';
import { securityDefinitions } from './core-v1-security.js';
import { serviceDefinitions } from './core-v1-service.js';
import { volumeDefinitions } from './core-v1-volume.js';
import { volumeSourceDefinitions } from './core-v1-volume-source.js';

export const coreV1Definitions: Definitions = {
  ...podDefinitions,
  ...schedulingDefinitions,
  ...securityDefinitions,
  ...containerDefinitions,
  ...probeDefinitions,
  ...containerStatusDefinitions,
  ...volumeDefinitions,
  ...volumeSourceDefinitions,
  ...persistentVolumeDefinitions,
  ...serviceDefinitions,
  ...nodeDefinitions,
  ...configDefinitions,
  ...policyDefinitions,
};
