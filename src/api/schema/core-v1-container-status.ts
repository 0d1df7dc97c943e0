// The observed state of containers.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, bool, ref, arr, map, mergeList, obj, t, TIME, QUANTITY } from './dsl.js';
import { atomic, keyedBy, P } from './core-v1-common.js';

export const containerStatusDefinitions: Definitions = {
  [`${P}.ContainerStatus`]: obj(
    'The observed state of one container.',
    {
      allocatedResources: map(
        t.ref(QUANTITY),
        'The compute resources allocated to the container by the node.',
      ),
      allocatedResourcesStatus: mergeList(
        t.ref(`${P}.ResourceStatus`),
        'The health of the devices allocated to the container, per resource.',
        ['name'],
      ),
      containerID: str("The runtime's ID of the container, as <type>://<id>."),
      image: str('The image the container runs.'),
      imageID: str("The image's ID as reported by the runtime."),
      lastState: ref(
        `${P}.ContainerState`,
        "The container's previous state, for example why it last terminated.",
      ),
      name: str("The container's name."),
      ready: bool('Whether the container passes its readiness probe.'),
      resources: ref(
        `${P}.ResourceRequirements`,
        'The compute resources the runtime has applied to the running container.',
      ),
      restartCount: int32('How many times the container has been restarted.'),
      started: bool('Whether the container has passed its startup probe.'),
      state: ref(`${P}.ContainerState`, "The container's current state."),
      user: ref(`${P}.ContainerUser`, "The identity the container's first process runs as."),
      volumeMounts: mergeList(t.ref(`${P}.VolumeMountStatus`), 'The volumes mounted into the container.', [
        'mountPath',
      ]),
    },
    { required: ['image', 'imageID', 'name', 'ready', 'restartCount'] },
  ),
  [`${P}.ContainerState`]: obj(
    'The state of a container; exactly one field is set, and none means waiting.',
    {
      running: ref(`${P}.ContainerStateRunning`, 'Details of a running container.'),
      terminated: ref(`${P}.ContainerStateTerminated`, 'Details of a terminated container.'),
      waiting: ref(`${P}.ContainerStateWaiting`, 'Details of a waiting container.'),
    },
  ),
  [`${P}.ContainerStateRunning`]: obj('A running container.', {
    startedAt: ref(TIME, 'When the container last (re)started.'),
  }),
  [`${P}.ContainerStateTerminated`]: obj(
    'A container that has finished.',
    {
      containerID: str("The runtime's ID of the container."),
      exitCode: int32('The exit status of the last run.'),
      finishedAt: ref(TIME, 'When the container last terminated.'),
      message: str('Information about the termination.'),
      reason: str('A brief reason for the termination.'),
      signal: int32('The signal that terminated the container.'),
      startedAt: ref(TIME, 'When the last run of the container began.'),
    },
    { required: ['exitCode'] },
  ),
  [`${P}.ContainerStateWaiting`]: obj('A container that is not yet running.', {
    message: str('Information about why the container is waiting.'),
    reason: str('A brief reason, e.g. ContainerCreating or CrashLoopBackOff.'),
  }),
  [`${P}.VolumeMountStatus`]: obj(
    'The state of one volume mount of a container.',
    {
      mountPath: str('Where the volume is mounted.'),
      name: str('The name of the volume.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str('Whether the read-only mount is recursively read-only.'),
    },
    { required: ['mountPath', 'name'] },
  ),
  [`${P}.ContainerUser`]: obj("The identity a container's first process runs as.", {
    linux: ref(`${P}.LinuxContainerUser`, 'The Linux user and groups.'),
  }),
  [`${P}.LinuxContainerUser`]: obj(
    "Linux user and group IDs of a container's first process.",
    {
      gid: int64('The primary group ID.'),
      supplementalGroups: arr(t.int64, 'The supplementary group IDs.', atomic),
      uid: int64('The user ID.'),
    },
    { required: ['uid', 'gid'] },
  ),
  [`${P}.ResourceStatus`]: obj(
    'The health of the devices allocated for one resource.',
    {
      name: str('The name of the resource, e.g. a claim:request pair or an extended resource name.'),
      resources: arr(
        t.ref(`${P}.ResourceHealth`),
        'The health of each allocated device.',
        keyedBy('resourceID'),
      ),
    },
    { required: ['name'] },
  ),
  [`${P}.ResourceHealth`]: obj(
    'The health of one allocated device.',
    {
      health: str("The device's health.", { enum: ['Healthy', 'Unhealthy', 'Unknown'] }),
      resourceID: str("The device's unique ID."),
    },
    { required: ['resourceID'] },
  ),
};
