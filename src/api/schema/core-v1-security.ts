// Security settings of pods and containers.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int64, bool, ref, arr, obj, t } from './dsl.js';
import { atomic, P } from './core-v1-common.js';

export const securityDefinitions: Definitions = {
  [`${P}.PodSecurityContext`]: obj(
    'Security settings for all containers of a pod; container settings take precedence.',
    {
      appArmorProfile: ref(`${P}.AppArmorProfile`, "The AppArmor profile applied to the pod's containers."),
      fsGroup: int64(
        "A supplementary group added to all containers, which also owns the pod's volumes where supported.",
      ),
      fsGroupChangePolicy: str(
        'When the ownership and permissions of volumes are changed to match fsGroup.',
        { enum: ['Always', 'OnRootMismatch'] },
      ),
      runAsGroup: int64('The primary group ID that container processes run as.'),
      runAsNonRoot: bool('Require containers to run as a user other than root.'),
      runAsUser: int64('The user ID that container processes run as.'),
      seLinuxOptions: ref(`${P}.SELinuxOptions`, 'The SELinux context applied to all containers.'),
      seccompProfile: ref(`${P}.SeccompProfile`, "The seccomp profile applied to the pod's containers."),
      supplementalGroups: arr(t.int64, 'Group IDs added to the first process of each container.', atomic),
      supplementalGroupsPolicy: str('How the supplementary groups of container processes are computed.', {
        enum: ['Merge', 'Strict'],
      }),
      sysctls: arr(t.ref(`${P}.Sysctl`), 'Namespaced kernel parameters set for the pod.', atomic),
      windowsOptions: ref(
        `${P}.WindowsSecurityContextOptions`,
        'Windows-specific settings applied to all containers.',
      ),
    },
  ),
  [`${P}.SecurityContext`]: obj("Security settings of one container; they override the pod's settings.", {
    allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent.'),
    appArmorProfile: ref(`${P}.AppArmorProfile`, 'The AppArmor profile of this container.'),
    capabilities: ref(
      `${P}.Capabilities`,
      "Linux capabilities added to or dropped from the container's defaults.",
    ),
    privileged: bool("Whether the container runs privileged, with the host's root capabilities."),
    procMount: str('The kind of /proc mount of the container.', { enum: ['Default', 'Unmasked'] }),
    readOnlyRootFilesystem: bool("Whether the container's root filesystem is read-only."),
    runAsGroup: int64("The primary group ID the container's process runs as."),
    runAsNonRoot: bool('Require the container to run as a user other than root.'),
    runAsUser: int64("The user ID the container's process runs as."),
    seLinuxOptions: ref(`${P}.SELinuxOptions`, 'The SELinux context of the container.'),
    seccompProfile: ref(`${P}.SeccompProfile`, 'The seccomp profile of this container.'),
    windowsOptions: ref(`${P}.WindowsSecurityContextOptions`, 'Windows-specific settings of this container.'),
  }),
  [`${P}.Capabilities`]: obj('Linux capabilities to add or drop.', {
    add: arr(t.str, 'Capabilities to add.', atomic),
    drop: arr(t.str, 'Capabilities to remove.', atomic),
  }),
  [`${P}.SELinuxOptions`]: obj('An SELinux context.', {
    level: str('The SELinux level label.'),
    role: str('The SELinux role label.'),
    type: str('The SELinux type label.'),
    user: str('The SELinux user label.'),
  }),
  [`${P}.SeccompProfile`]: obj(
    'A seccomp profile.',
    {
      localhostProfile: str(
        "Path of a profile file on the node, relative to the kubelet's seccomp directory; only with type Localhost.",
      ),
      type: str('Which kind of profile is used.', { enum: ['Localhost', 'RuntimeDefault', 'Unconfined'] }),
    },
    { required: ['type'] },
  ),
  [`${P}.AppArmorProfile`]: obj(
    'An AppArmor profile.',
    {
      localhostProfile: str('The name of a profile loaded on the node; only with type Localhost.'),
      type: str('Which kind of profile is used.', { enum: ['Localhost', 'RuntimeDefault', 'Unconfined'] }),
    },
    { required: ['type'] },
  ),
  [`${P}.WindowsSecurityContextOptions`]: obj('Windows-specific security settings.', {
    gmsaCredentialSpec: str('The contents of the GMSA credential spec named by gmsaCredentialSpecName.'),
    gmsaCredentialSpecName: str('The name of the GMSA credential spec to use.'),
    hostProcess: bool('Whether the container runs as a Windows host process.'),
    runAsUserName: str("The Windows user name the container's entrypoint runs as."),
  }),
  [`${P}.Sysctl`]: obj(
    'One kernel parameter to set.',
    {
      name: str("The parameter's name."),
      value: str("The parameter's value."),
    },
    { required: ['name', 'value'] },
  ),
};
