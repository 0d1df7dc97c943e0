// Creating and deleting pods for a controller, with upstream's events (PodControlInterface):
// SuccessfulCreate "Created pod: x", FailedCreate "Error creating: <err>", SuccessfulDelete
// "Deleted pod: x", FailedDelete "Error deleting: <err>".
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import { isNotFound } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import type { OwnerReference, Pod, PodTemplateSpec } from './objects.js';

/** The pod a template makes (GetPodFromTemplate): labels, annotations, finalizers and spec copied. */
export function podFromTemplate(
  template: PodTemplateSpec,
  ownerName: string,
  controllerRef: OwnerReference | undefined,
): Pod {
  const m = template.metadata ?? {};
  const metadata: Record<string, unknown> = {
    generateName: `${ownerName}-`,
    labels: { ...(m.labels ?? {}) },
  };
  if (m.annotations && Object.keys(m.annotations).length) metadata.annotations = { ...m.annotations };
  if (m.finalizers?.length) metadata.finalizers = [...m.finalizers];
  if (controllerRef) metadata.ownerReferences = [controllerRef];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template.spec) } as Pod;
}

/** The create failed because the namespace is going away: nothing to report or retry. */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    err instanceof StatusError && !!err.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')
  );
}

export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  async create(namespace: string, pod: Pod, owner: KubeObject): Promise<Pod> {
    if (!Object.keys(pod.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    try {
      const created = await this.client.request<Pod>('POST', `/api/v1/namespaces/${namespace}/pods`, pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata!.name}`);
      return created;
    } catch (err) {
      if (!isNamespaceTerminating(err))
        this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${messageOf(err)}`);
      throw err;
    }
  }

  /** Deletes a pod; a pod already gone is rethrown as NotFound without an event. */
  async delete(namespace: string, name: string, owner: KubeObject): Promise<void> {
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
    } catch (err) {
      if (isNotFound(err)) throw err;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(err)}`);
      throw new Error(`unable to delete pods: ${messageOf(err)}`);
    }
    this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
