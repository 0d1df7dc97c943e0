// Running iptables: one iptables-restore per sync (--noflush, so chains that are not ours are
// left alone), iptables-save to find stale chains, and -C/-I for the jump rules. A command
// prefix (e.g. `ip netns exec NS`) runs them in another network namespace.
import { execFile, spawn } from 'node:child_process';

export class IptablesError extends Error {}

/**
 * Which iptables: 'auto' is the host's `iptables` (nf_tables on Debian 12), so that
 * `iptables -S` shows our rules; 'legacy' restores a large ruleset about ten times faster
 * (1,000 services x 10 endpoints: ~0.3 s against ~4 s, bench/proxy) but is invisible to the
 * nft tools, so use it only on hosts whose other tools use legacy too.
 */
export type IptablesBackend = 'auto' | 'nft' | 'legacy';

export class Iptables {
  constructor(
    private readonly family: 'IPv4' | 'IPv6' = 'IPv4',
    private readonly prefix: string[] = [],
    private readonly backend: IptablesBackend = 'auto',
  ) {}

  private bin(tool: 'iptables' | 'iptables-restore' | 'iptables-save'): string {
    const base = this.family === 'IPv6' ? tool.replace('iptables', 'ip6tables') : tool;
    if (this.backend === 'auto') return base;
    // iptables-nft-restore, ip6tables-legacy-save, ...
    return base.replace(/^(ip6?tables)/, `$1-${this.backend}`);
  }

  private run(
    tool: 'iptables' | 'iptables-restore' | 'iptables-save',
    args: string[],
    input?: string,
  ): Promise<string> {
    const [cmd, ...rest] = [...this.prefix, this.bin(tool), ...args];
    return new Promise((resolve, reject) => {
      const child =
        input === undefined ? execFile(cmd, rest, { maxBuffer: 256 * 1024 * 1024 }) : spawn(cmd, rest);
      let out = '';
      let err = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => reject(new IptablesError(`${cmd}: ${e.message}`)));
      child.on('close', (code) =>
        code === 0
          ? resolve(out)
          : reject(new IptablesError(`${tool} ${args.join(' ')}: exit ${code}: ${err.trim()}`)),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  restore(text: string): Promise<string> {
    // -w: wait for the xtables lock instead of failing when another tool holds it
    return this.run('iptables-restore', ['-w', '--noflush', '--counters'], text);
  }

  save(table: 'nat' | 'filter'): Promise<string> {
    return this.run('iptables-save', ['-t', table]);
  }

  async ensureChain(table: string, chain: string): Promise<void> {
    try {
      await this.run('iptables', ['-w', '-t', table, '-N', chain]);
    } catch (err) {
      if (!/exists/i.test(String(err))) throw err;
    }
  }

  /** Inserts the rule at the top of `chain` unless it is there already. */
  async ensureRule(table: string, chain: string, args: string[]): Promise<void> {
    try {
      await this.run('iptables', ['-w', '-t', table, '-C', chain, ...args]);
    } catch {
      await this.run('iptables', ['-w', '-t', table, '-I', chain, ...args]);
    }
  }

  async deleteRule(table: string, chain: string, args: string[]): Promise<void> {
    await this.run('iptables', ['-w', '-t', table, '-D', chain, ...args]).catch(() => undefined);
  }

  /** Runs a shell line through the same prefix (for sysctls inside a namespace). */
  shell(line: string): Promise<string> {
    const [cmd, ...rest] = [...this.prefix, 'sh', '-c', line];
    return new Promise((resolve, reject) =>
      execFile(cmd, rest, (err, stdout) => (err ? reject(new IptablesError(String(err))) : resolve(stdout))),
    );
  }
}

/** Chain names declared in an iptables-save dump (`:NAME POLICY [p:b]`). */
export function chainsOf(dump: string): Set<string> {
  const out = new Set<string>();
  for (const line of dump.split('\n')) if (line.startsWith(':')) out.add(line.slice(1).split(' ')[0]);
  return out;
}
