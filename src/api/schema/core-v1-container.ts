// Containers: what a container runs, its ports, environment, resources, probes, lifecycle hooks and status.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, bool, ref, arr, map, mergeList, obj, t, QUANTITY } from './dsl.js';
import { atomicStruct, atomic, keyedBy, P } from './core-v1-common.js';

export const containerDefinitions: Definitions = {
  [`${P}.Container`]: obj(
    'One container of a pod.',
    {
      args: arr(
        t.str,
        "Arguments to the entrypoint; replaces the image's CMD and may refer to variables as $(VAR).",
        atomic,
      ),
      command: arr(t.str, "The entrypoint, run without a shell; replaces the image's ENTRYPOINT.", atomic),
      env: mergeList(t.ref(`${P}.EnvVar`), 'Environment variables set in the container.', ['name']),
      envFrom: arr(
        t.ref(`${P}.EnvFromSource`),
        'Sources whose keys all become environment variables; explicit env entries take precedence.',
        atomic,
      ),
      image: str('The container image to run.'),
      imagePullPolicy: str(
        'When the image is pulled; defaults to Always for :latest and IfNotPresent otherwise.',
        { enum: ['Always', 'IfNotPresent', 'Never'] },
      ),
      lifecycle: ref(
        `${P}.Lifecycle`,
        'Actions the system runs when the container starts and before it stops.',
      ),
      livenessProbe: ref(
        `${P}.Probe`,
        "A check of the container's health; the container is restarted when it fails.",
      ),
      name: str("The container's name, unique within the pod, as a DNS label."),
      ports: mergeList(
        t.ref(`${P}.ContainerPort`),
        'Ports the container exposes; informational, except that named ports can be referred to.',
        ['containerPort', 'protocol'],
      ),
      readinessProbe: ref(
        `${P}.Probe`,
        'A check of whether the container can serve; failing removes the pod from service endpoints.',
      ),
      resizePolicy: arr(
        t.ref(`${P}.ContainerResizePolicy`),
        'How the container reacts when its resources are resized.',
        atomic,
      ),
      resources: ref(
        `${P}.ResourceRequirements`,
        'The compute resources the container requests and is limited to.',
      ),
      restartPolicy: str(
        'For init containers only: Always makes the container a sidecar that keeps running.',
      ),
      securityContext: ref(`${P}.SecurityContext`, "The container's security settings."),
      startupProbe: ref(
        `${P}.Probe`,
        'A check that the container has started; other probes wait until it succeeds.',
      ),
      stdin: bool('Whether the container keeps a stdin buffer open.'),
      stdinOnce: bool('Whether stdin is closed after the first attached client detaches.'),
      terminationMessagePath: str(
        "The file whose contents become the container's termination message; defaults to /dev/termination-log.",
      ),
      terminationMessagePolicy: str('Where the termination message is read from.', {
        enum: ['FallbackToLogsOnError', 'File'],
      }),
      tty: bool('Whether the container is given a TTY; needs stdin.'),
      volumeDevices: mergeList(
        t.ref(`${P}.VolumeDevice`),
        'Raw block devices from volumes made available to the container.',
        ['devicePath'],
      ),
      volumeMounts: mergeList(t.ref(`${P}.VolumeMount`), "Volumes mounted into the container's filesystem.", [
        'mountPath',
      ]),
      workingDir: str("The working directory of the entrypoint; defaults to the image's."),
    },
    { required: ['name'] },
  ),
  [`${P}.EphemeralContainer`]: obj(
    'A temporary container added to a running pod, e.g. to debug it; it is never restarted and has no resources or probes.',
    {
      args: arr(t.str, "Arguments to the entrypoint; replaces the image's CMD.", atomic),
      command: arr(t.str, "The entrypoint, run without a shell; replaces the image's ENTRYPOINT.", atomic),
      env: mergeList(t.ref(`${P}.EnvVar`), 'Environment variables set in the container.', ['name']),
      envFrom: arr(
        t.ref(`${P}.EnvFromSource`),
        'Sources whose keys all become environment variables.',
        atomic,
      ),
      image: str('The container image to run.'),
      imagePullPolicy: str('When the image is pulled.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
      lifecycle: ref(`${P}.Lifecycle`, 'Not allowed for ephemeral containers.'),
      livenessProbe: ref(`${P}.Probe`, 'Not allowed for ephemeral containers.'),
      name: str("The container's name, unique among all containers of the pod."),
      ports: mergeList(t.ref(`${P}.ContainerPort`), 'Not allowed for ephemeral containers.', [
        'containerPort',
        'protocol',
      ]),
      readinessProbe: ref(`${P}.Probe`, 'Not allowed for ephemeral containers.'),
      resizePolicy: arr(t.ref(`${P}.ContainerResizePolicy`), 'Not allowed for ephemeral containers.', atomic),
      resources: ref(`${P}.ResourceRequirements`, 'Not allowed for ephemeral containers.'),
      restartPolicy: str('Not allowed for ephemeral containers.'),
      securityContext: ref(`${P}.SecurityContext`, 'Security settings of the container.'),
      startupProbe: ref(`${P}.Probe`, 'Not allowed for ephemeral containers.'),
      stdin: bool('Whether the container keeps a stdin buffer open.'),
      stdinOnce: bool('Whether stdin is closed after the first attached client detaches.'),
      targetContainerName: str(
        'The container whose process namespace this container joins, where the runtime supports it.',
      ),
      terminationMessagePath: str("The file whose contents become the container's termination message."),
      terminationMessagePolicy: str('Where the termination message is read from.', {
        enum: ['FallbackToLogsOnError', 'File'],
      }),
      tty: bool('Whether the container is given a TTY.'),
      volumeDevices: mergeList(
        t.ref(`${P}.VolumeDevice`),
        'Raw block devices from volumes made available to the container.',
        ['devicePath'],
      ),
      volumeMounts: mergeList(
        t.ref(`${P}.VolumeMount`),
        'Volumes mounted into the container; subPath mounts are not allowed.',
        ['mountPath'],
      ),
      workingDir: str('The working directory of the entrypoint.'),
    },
    { required: ['name'] },
  ),
  [`${P}.ContainerPort`]: obj(
    'A network port of a container.',
    {
      containerPort: int32("The port number on the pod's IP address, from 1 to 65535."),
      hostIP: str('The host IP address to bind the host port to.'),
      hostPort: int32('The port number opened on the host, if any.'),
      name: str('A name for the port (an IANA service name), unique within the pod.'),
      protocol: str("The port's protocol; defaults to TCP.", {
        enum: ['SCTP', 'TCP', 'UDP'],
        default: 'TCP',
      }),
    },
    { required: ['containerPort'] },
  ),
  [`${P}.EnvVar`]: obj(
    'An environment variable of a container.',
    {
      name: str("The variable's name."),
      value: str("The variable's value; may refer to earlier variables as $(VAR)."),
      valueFrom: ref(`${P}.EnvVarSource`, 'Where the value comes from, when it is not given literally.'),
    },
    { required: ['name'] },
  ),
  [`${P}.EnvVarSource`]: obj("The source of an environment variable's value.", {
    configMapKeyRef: ref(`${P}.ConfigMapKeySelector`, 'A key of a ConfigMap.'),
    fieldRef: ref(`${P}.ObjectFieldSelector`, 'A field of the pod, such as metadata.name or status.podIP.'),
    resourceFieldRef: ref(`${P}.ResourceFieldSelector`, 'A resource limit or request of a container.'),
    secretKeyRef: ref(`${P}.SecretKeySelector`, "A key of a Secret in the pod's namespace."),
  }),
  [`${P}.EnvFromSource`]: obj('A source of many environment variables.', {
    configMapRef: ref(`${P}.ConfigMapEnvSource`, 'A ConfigMap whose keys become variables.'),
    prefix: str('A prefix added to every variable name from this source.'),
    secretRef: ref(`${P}.SecretEnvSource`, 'A Secret whose keys become variables.'),
  }),
  [`${P}.ConfigMapEnvSource`]: obj('A ConfigMap whose keys become environment variables.', {
    name: str("The ConfigMap's name."),
    optional: bool('Whether the ConfigMap may be missing.'),
  }),
  [`${P}.SecretEnvSource`]: obj('A Secret whose keys become environment variables.', {
    name: str("The Secret's name."),
    optional: bool('Whether the Secret may be missing.'),
  }),
  [`${P}.ConfigMapKeySelector`]: atomicStruct(
    obj(
      'One key of a ConfigMap.',
      {
        key: str('The key to select.'),
        name: str("The ConfigMap's name."),
        optional: bool('Whether the ConfigMap or key may be missing.'),
      },
      { required: ['key'] },
    ),
  ),
  [`${P}.SecretKeySelector`]: atomicStruct(
    obj(
      'One key of a Secret.',
      {
        key: str('The key to select.'),
        name: str("The Secret's name."),
        optional: bool('Whether the Secret or key may be missing.'),
      },
      { required: ['key'] },
    ),
  ),
  [`${P}.ObjectFieldSelector`]: atomicStruct(
    obj(
      'A field of the pod.',
      {
        apiVersion: str('The schema version the field path is written in; defaults to v1.'),
        fieldPath: str('The path of the field.'),
      },
      { required: ['fieldPath'] },
    ),
  ),
  [`${P}.ResourceFieldSelector`]: atomicStruct(
    obj(
      'A resource limit or request of a container, e.g. limits.cpu.',
      {
        containerName: str("The container's name; required for volumes, optional for environment variables."),
        divisor: ref(QUANTITY, 'The unit the value is expressed in; defaults to 1.'),
        resource: str('The resource to select.'),
      },
      { required: ['resource'] },
    ),
  ),
  [`${P}.ResourceRequirements`]: obj('The compute resources a container requests and may use at most.', {
    claims: arr(
      t.ref(`${P}.ResourceClaim`),
      "Which of the pod's resource claims this container uses.",
      keyedBy('name'),
    ),
    limits: map(t.ref(QUANTITY), 'The most of each resource the container may use.'),
    requests: map(
      t.ref(QUANTITY),
      'The least of each resource the container needs; defaults to the limits when those are set.',
    ),
  }),
  [`${P}.ResourceClaim`]: obj(
    "The use of one of the pod's resource claims by a container.",
    {
      name: str("The name of an entry of the pod's resourceClaims."),
      request: str('The name of one request within the claim; empty means the whole claim.'),
    },
    { required: ['name'] },
  ),
  [`${P}.ContainerResizePolicy`]: obj(
    'How a container reacts when one resource is resized.',
    {
      resourceName: str('The resource the policy applies to, e.g. cpu or memory.'),
      restartPolicy: str('Whether the container is restarted to apply the resize.', {
        enum: ['NotRequired', 'RestartContainer'],
      }),
    },
    { required: ['resourceName', 'restartPolicy'] },
  ),
  [`${P}.VolumeMount`]: obj(
    'A volume mounted into a container.',
    {
      mountPath: str("Where in the container the volume is mounted; must not contain ':'."),
      mountPropagation: str('How mounts propagate between host and container; defaults to None.', {
        enum: ['Bidirectional', 'HostToContainer', 'None'],
      }),
      name: str('The name of the pod volume to mount.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str('Whether a read-only mount is also read-only for submounts.'),
      subPath: str('A path within the volume to mount instead of its root.'),
      subPathExpr: str("Like subPath, but expanded with $(VAR) references to the container's environment."),
    },
    { required: ['mountPath', 'name'] },
  ),
  [`${P}.VolumeDevice`]: obj(
    'A raw block device made available to a container.',
    {
      devicePath: str('The path inside the container at which the device appears.'),
      name: str('The name of a persistentVolumeClaim volume of the pod.'),
    },
    { required: ['devicePath', 'name'] },
  ),
};
