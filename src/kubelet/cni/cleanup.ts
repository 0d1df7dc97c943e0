// Removes what the CNI plugins leave on the host once every sandbox is gone: the bridge, the
// iptables chains of portmap (CNI-HOSTPORT-*, CNI-DN-*) and of the bridge's masquerading
// (CNI-<hash>, commented with our network name), and host-local's leases. containerd does not
// do it (its CNI DEL only undoes per-sandbox state).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { CNI_BRIDGE, CNI_NETWORK_NAME } from './config.js';

const run = promisify(execFile);

async function tryRun(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run(cmd, args)).stdout;
  } catch {
    return undefined;
  }
}

/** Chains in iptables-save output of one table that the CNI plugins of this network created. */
export function cniChains(saveOutput: string): string[] {
  const chains = new Set<string>();
  for (const line of saveOutput.split('\n')) {
    const decl = line.match(/^:(CNI-\S+)/);
    if (decl && (decl[1].startsWith('CNI-HOSTPORT-') || decl[1].startsWith('CNI-DN-'))) chains.add(decl[1]);
    // bridge ipMasq: -A POSTROUTING -s 10.42.0.5/32 -m comment --comment "name: \"k8ts\" id: ..." -j CNI-abc
    const jump = line.match(/-j (CNI-[0-9a-f]{24})\b/);
    if (jump && line.includes(`name: \\"${CNI_NETWORK_NAME}\\"`)) chains.add(jump[1]);
  }
  return [...chains].sort();
}

/** Rules of built-in chains that jump into one of `chains` (as `-D` argument lists). */
export function jumpsInto(saveOutput: string, chains: string[]): string[][] {
  const set = new Set(chains);
  const out: string[][] = [];
  for (const line of saveOutput.split('\n')) {
    const m = line.match(/^-A (\S+) (.*) -j (\S+)(.*)$/);
    if (!m || set.has(m[1]) || !set.has(m[3])) continue;
    out.push(splitArgs(line.replace(/^-A /, '')));
  }
  return out;
}

// iptables-save quotes arguments with spaces ("name: \"k8ts\" ..."); split like a shell would.
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && quoted && s[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      any = true;
    } else if (c === ' ' && !quoted) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += c;
  }
  if (cur || any) out.push(cur);
  return out;
}

export interface CniCleanupOptions {
  bridge?: string;
  ipamDataDir?: string;
}

/** Deletes the bridge, our CNI iptables chains (nat and filter) and the IPAM leases. */
export async function cleanupCniHostState(o: CniCleanupOptions = {}): Promise<{ chainsRemoved: string[] }> {
  const removed: string[] = [];
  for (const table of ['nat', 'filter']) {
    const save = await tryRun('iptables-save', ['-t', table]);
    if (!save) continue;
    const chains = cniChains(save);
    for (const rule of jumpsInto(save, chains)) await tryRun('iptables', ['-t', table, '-D', ...rule]);
    // Chains may jump into each other: flush all first, then delete.
    for (const c of chains) await tryRun('iptables', ['-t', table, '-F', c]);
    for (const c of chains) {
      if ((await tryRun('iptables', ['-t', table, '-X', c])) !== undefined) removed.push(`${table}/${c}`);
    }
  }
  await tryRun('ip', ['link', 'del', o.bridge ?? CNI_BRIDGE]);
  if (o.ipamDataDir) rmSync(o.ipamDataDir, { recursive: true, force: true });
  return { chainsRemoved: removed };
}
