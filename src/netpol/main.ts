// What the agent calls: the network policy controller on its own informers.
import type { RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { NetworkPolicyController } from './controller.js';

export async function startNetworkPolicies(
  client: RestClient,
  nodeName: string,
): Promise<{ controller: NetworkPolicyController; stop(): void }> {
  const informers = new SharedInformers(client);
  const controller = new NetworkPolicyController(informers, nodeName);
  informers.start();
  await informers.waitForSync();
  controller.start();
  return {
    controller,
    stop() {
      controller.stop();
      informers.dispose();
    },
  };
}
