// Control-plane failover figures (prints, asserts nothing): three `k8ts server`s on one etcd
// (an external member, so the figures are about leader election alone), upstream's lease
// timings (15 s lease, 10 s renew deadline, 2 s retry). The server running the active
// controller manager is stopped with SIGTERM (its controller manager and scheduler release
// their Leases, client-go's ReleaseOnCancel) and with kill -9 (they expire); printed: the
// time until another server's controller manager / scheduler holds the Lease.
// Usage: npm run build && node dist/bench/ha/leader-failover.js [rounds per signal, default 2]
import { rmSync } from 'node:fs';
import { freePort, startServer, type TestServer } from '../../test/integration/harness.js';
import { startEtcd } from '../../test/unit/storage/etcd-fixture.js';
import { leaseHolder } from '../../test/integration/ha-fixture.js';

const LEASES = ['kube-controller-manager', 'kube-scheduler'] as const;

/** The server whose child logged that it leads `lease` with this identity. */
const leaderOf = (servers: TestServer[], lease: string, identity: string) =>
  servers.find((s) => s.log().includes(`"lease":"kube-system/${lease}","identity":"${identity}"`));

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 2);
  const etcd = await startEtcd();
  const flags = ['--datastore-endpoint', etcd.endpoint];
  const servers: TestServer[] = [];
  for (let i = 0; i < 3; i++)
    servers.push(
      await startServer([...flags, '--node-name', `lf-${i}`], {
        dir: `/tmp/ha-lb-lf-${i}`,
        port: await freePort(),
      }),
    );
  const figures: Record<string, number[]> = {};
  try {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (let round = 0; round < rounds; round++) {
        let cm = '';
        while (
          !(cm = await leaseHolder(servers[0]!, 'kube-controller-manager')) ||
          !leaderOf(servers, 'kube-controller-manager', cm)
        )
          await new Promise((r) => setTimeout(r, 200));
        const victim = leaderOf(servers, 'kube-controller-manager', cm)!;
        const rest = servers.filter((s) => s !== victim);
        const before = Object.fromEntries(
          await Promise.all(LEASES.map(async (l) => [l, await leaseHolder(rest[0]!, l)])),
        );
        const t0 = performance.now();
        await victim.stop(signal);
        const pending = new Set(LEASES.filter((l) => leaderOf([victim], l, before[l]!)));
        while (pending.size > 0) {
          for (const l of [...pending]) {
            const h = await leaseHolder(rest[0]!, l);
            if (h && h !== before[l]) {
              (figures[`${signal} ${l}`] ??= []).push(performance.now() - t0);
              pending.delete(l);
            }
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        // bring the stopped server back as a candidate for the next round
        servers[servers.indexOf(victim)] = await startServer(
          [...flags, '--node-name', `lf-${servers.indexOf(victim)}`],
          {
            dir: victim.dir,
            port: victim.port,
          },
        );
        console.error(`# ${signal} round ${round + 1} done`);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
    await etcd.stop();
  }
  for (const [what, ms] of Object.entries(figures))
    console.log(`${what}: new leader after ${ms.map((m) => (m / 1000).toFixed(1)).join(', ')} s`);
}

await main();
