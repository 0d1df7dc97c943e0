// Membership of the managed etcd cluster through etcd's Cluster API (the etcd3 client's
// gRPC MemberList / MemberAdd / MemberRemove), authenticated with this server's etcd client
// certificate.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { etcd3 } from './load.js';
import type { EtcdTLSFiles } from './pki.js';

export interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

export function etcdClient(endpoints: string[], tls: EtcdTLSFiles): Etcd3 {
  return new (etcd3().Etcd3)({
    hosts: endpoints,
    credentials: {
      rootCertificate: readFileSync(tls.caFile),
      certChain: readFileSync(tls.clientCertFile),
      privateKey: readFileSync(tls.clientKeyFile),
    },
    dialTimeout: 5000,
  });
}

export async function listMembers(client: Etcd3): Promise<Member[]> {
  const r = await client.cluster.memberList({});
  return r.members.map((m) => ({
    id: m.ID,
    name: m.name,
    peerURLs: m.peerURLs,
    clientURLs: m.clientURLs,
  }));
}

/**
 * Adds a member with this peer URL unless one is already there (a join that died between
 * MemberAdd and its first start), and returns the `--initial-cluster` it must start with.
 */
export async function addMember(client: Etcd3, name: string, peer: string): Promise<string> {
  let members = await listMembers(client);
  if (!members.some((m) => m.peerURLs.includes(peer))) {
    const r = await memberAddWhenReady(client, peer);
    members = r.members.map((m) => ({
      id: m.ID,
      name: m.name,
      peerURLs: m.peerURLs,
      clientURLs: m.clientURLs,
    }));
  }
  return members.map((m) => `${m.peerURLs.includes(peer) ? name : m.name}=${m.peerURLs.join(',')}`).join(',');
}

/** Removes the member named `nameOrId` (its name or hex ID); returns what was removed. */
export async function removeMember(client: Etcd3, nameOrId: string): Promise<Member> {
  const members = await listMembers(client);
  const m = members.find((x) => x.name === nameOrId || BigInt(x.id).toString(16) === nameOrId.toLowerCase());
  if (!m)
    throw new Error(
      `etcd member "${nameOrId}" not found; members: ${members.map((x) => x.name || '(unstarted)').join(', ')}`,
    );
  await client.cluster.memberRemove({ ID: m.id });
  return m;
}

/**
 * etcd refuses MemberAdd ("unhealthy cluster") until every member has been connected for a
 * few seconds, e.g. right after another server joined; such a refusal is retried for a minute.
 */
async function memberAddWhenReady(client: Etcd3, peer: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await client.cluster.memberAdd({ peerURLs: [peer] });
    } catch (err) {
      // the client's circuit breaker opens after a few such refusals; it closes again on its own
      if (!/unhealthy cluster|circuit breaker is open/.test(String(err)) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
