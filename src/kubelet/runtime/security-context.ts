// Pod and container securityContext → CRI, as upstream's kuberuntime
// (determineEffectiveSecurityContext, convertToRuntimeSecurityContext, verifyRunAsNonRoot,
// generatePodSandboxLinuxConfig): the container's fields override the pod's; fsGroup and
// supplementalGroups become supplemental groups; allowPrivilegeEscalation: false sets
// no_new_privs; a seccompProfile given nowhere is Unconfined (the kubelet's default without
// --seccomp-default), which must be sent explicitly since the CRI enum's zero is RuntimeDefault.
import type {
  LinuxContainerSecurityContext,
  LinuxSandboxSecurityContext,
  NamespaceOption,
  SecurityProfile,
} from '../../cri/types.js';
import type { ContainerSpec, Pod } from './types.js';

interface SeccompProfile {
  type?: 'RuntimeDefault' | 'Unconfined' | 'Localhost';
  localhostProfile?: string;
}

/** core/v1 SecurityContext (the fields a Linux node honours). */
export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: SeccompProfile;
}

/** core/v1 PodSecurityContext. */
export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
  fsGroupChangePolicy?: 'Always' | 'OnRootMismatch';
  sysctls?: { name: string; value: string }[];
  seccompProfile?: SeccompProfile;
}

type SecuredContainer = ContainerSpec & { securityContext?: SecurityContext };

export function podSecurityContext(pod: Pod): PodSecurityContext {
  return (pod.spec as { securityContext?: PodSecurityContext }).securityContext ?? {};
}

/** upstream's securitycontext.DetermineEffectiveSecurityContext. */
export function effectiveSecurityContext(pod: Pod, c: SecuredContainer): SecurityContext {
  const p = podSecurityContext(pod);
  const sc = c.securityContext ?? {};
  return {
    ...sc,
    runAsUser: sc.runAsUser ?? p.runAsUser,
    runAsGroup: sc.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: sc.runAsNonRoot ?? p.runAsNonRoot,
    seccompProfile: sc.seccompProfile ?? p.seccompProfile,
  };
}

/** The user an image runs as, from CRI ImageStatus (uid when numeric, else username). */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** upstream's format.Pod: name_namespace(uid). */
function formatPod(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
}

/**
 * upstream's verifyRunAsNonRoot: with runAsNonRoot, the user must be known not to be root. An
 * image that names no user runs as root. Throws upstream's texts (CreateContainerConfigError).
 */
export function verifyRunAsNonRoot(pod: Pod, c: SecuredContainer, image: ImageUser): void {
  const sc = effectiveSecurityContext(pod, c);
  if (!sc.runAsNonRoot) return;
  const where = `(pod: "${formatPod(pod)}", container: ${c.name})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new Error(`container's runAsUser breaks non-root policy ${where}`);
    return;
  }
  if (image.uid === undefined && image.username)
    throw new Error(
      `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${where}`,
    );
  if ((image.uid ?? 0) === 0)
    throw new Error(`container has runAsNonRoot and image will run as root ${where}`);
}

/** upstream's getSeccompProfile without --seccomp-default: container, then pod, else Unconfined. */
function seccomp(profile: SeccompProfile | undefined): SecurityProfile {
  if (profile?.type === 'Localhost')
    return { profile_type: 'Localhost', localhost_ref: profile.localhostProfile ?? '' };
  return { profile_type: profile?.type === 'RuntimeDefault' ? 'RuntimeDefault' : 'Unconfined' };
}

/** fsGroup first, then supplementalGroups, as upstream appends them. */
function supplementalGroups(pod: Pod): number[] {
  const p = podSecurityContext(pod);
  return [...(p.fsGroup !== undefined ? [p.fsGroup] : []), ...(p.supplementalGroups ?? [])];
}

/** The container's CRI security context; `image` is the image's user when runAsUser is unset. */
export function containerSecurityContext(
  pod: Pod,
  c: SecuredContainer,
  namespaces: NamespaceOption,
  image: ImageUser = {},
): LinuxContainerSecurityContext {
  const sc = effectiveSecurityContext(pod, c);
  const out: LinuxContainerSecurityContext = {
    namespace_options: namespaces,
    privileged: !!sc.privileged,
    readonly_rootfs: !!sc.readOnlyRootFilesystem,
    // upstream's AddNoNewPrivileges: only an explicit allowPrivilegeEscalation: false
    no_new_privs: sc.allowPrivilegeEscalation === false,
    seccomp: seccomp(sc.seccompProfile),
    supplemental_groups: supplementalGroups(pod),
  };
  if (sc.capabilities)
    out.capabilities = {
      add_capabilities: sc.capabilities.add ?? [],
      drop_capabilities: sc.capabilities.drop ?? [],
    };
  if (sc.runAsUser !== undefined) out.run_as_user = { value: sc.runAsUser };
  else if (image.uid !== undefined) out.run_as_user = { value: image.uid };
  else if (image.username) out.run_as_username = image.username;
  if (sc.runAsGroup !== undefined) out.run_as_group = { value: sc.runAsGroup };
  return out;
}

/** The sandbox's: the pod's user and groups; privileged when any container is (runc needs it). */
export function sandboxSecurityContext(pod: Pod, namespaces: NamespaceOption): LinuxSandboxSecurityContext {
  const p = podSecurityContext(pod);
  // ephemeral containers too (upstream's HasPrivilegedContainer visits all): containerd checks a
  // privileged container against the sandbox config passed along with it
  const containers = [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ] as SecuredContainer[];
  const out: LinuxSandboxSecurityContext = {
    namespace_options: namespaces,
    privileged: containers.some((c) => c.securityContext?.privileged),
    seccomp: seccomp(p.seccompProfile),
    supplemental_groups: supplementalGroups(pod),
  };
  if (p.runAsUser !== undefined) out.run_as_user = { value: p.runAsUser };
  if (p.runAsGroup !== undefined) out.run_as_group = { value: p.runAsGroup };
  return out;
}
