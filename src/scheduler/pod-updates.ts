// The scheduler's writes besides bindings: the PodScheduled=False condition (and
// nominatedNodeName) of a pod that did not fit, written only when it changes, as upstream's
// updatePod does; and the eviction of a preemption victim (DisruptionTarget condition, then
// delete).
import type { RestClient } from '../client/rest.js';
import type { Pod } from './framework/types.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const statusPath = (p: Pod) => `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`;

export async function setPodCondition(
  client: RestClient,
  pod: Pod,
  reason: string,
  message: string,
  nominatedNodeName?: string,
): Promise<void> {
  const conditions = (pod.status?.conditions as Condition[] | undefined) ?? [];
  const old = conditions.find((c) => c.type === 'PodScheduled');
  const sameCondition = old?.status === 'False' && old.reason === reason && old.message === message;
  const oldNominated = (pod.status?.nominatedNodeName as string | undefined) ?? '';
  const sameNomination = nominatedNodeName === undefined || nominatedNodeName === oldNominated;
  if (sameCondition && sameNomination) return;
  const status: Record<string, unknown> = {
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime:
          old?.status === 'False'
            ? ((old as { lastTransitionTime?: string }).lastTransitionTime ?? stamp())
            : stamp(),
        reason,
        message,
      },
    ],
  };
  if (!sameNomination) status.nominatedNodeName = nominatedNodeName || null;
  await client.request('PATCH', statusPath(pod), { status }, 'application/strategic-merge-patch+json');
}

export async function evictVictim(client: RestClient, victim: Pod): Promise<void> {
  await client.request(
    'PATCH',
    statusPath(victim),
    {
      status: {
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: stamp(),
            reason: 'PreemptionByScheduler',
            message: 'default-scheduler: preempting to accommodate a higher priority pod',
          },
        ],
      },
    },
    'application/strategic-merge-patch+json',
  );
  await client.request(
    'DELETE',
    `/api/v1/namespaces/${victim.metadata.namespace}/pods/${victim.metadata.name}`,
    {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      preconditions: { uid: victim.metadata.uid },
    },
  );
}
