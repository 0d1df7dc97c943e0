// Running `ip`, `bridge` and `sh` for the overlay, optionally in another network namespace
// (a command prefix such as `nsenter --net=/var/run/netns/X`). Batches go through `ip -batch -`
// / `bridge -batch -` so that a whole table is one process, not one per entry.
import { spawn } from 'node:child_process';

export class CommandError extends Error {}

export class NetCommands {
  constructor(private readonly prefix: string[] = []) {}

  run(cmd: string, args: string[], input?: string): Promise<string> {
    const [bin, ...rest] = [...this.prefix, cmd, ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(bin, rest, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (e) => reject(new CommandError(`${cmd}: ${e.message}`)));
      child.on('close', (code) =>
        code === 0
          ? resolve(out)
          : reject(new CommandError(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim()}`)),
      );
      if (input !== undefined) {
        // a tool that exits early (bad first line) closes its stdin: its exit code tells why
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(input);
      }
    });
  }

  /** `ip -j ARGS` parsed (iproute2 prints [] or nothing for an empty table). */
  async ipJson<T>(args: string[]): Promise<T[]> {
    const out = (await this.run('ip', ['-j', ...args])).trim();
    return out ? (JSON.parse(out) as T[]) : [];
  }

  async bridgeJson<T>(args: string[]): Promise<T[]> {
    const out = (await this.run('bridge', ['-j', ...args])).trim();
    return out ? (JSON.parse(out) as T[]) : [];
  }

  /** One `ip -batch -` for all lines; -force goes on after a failed line and reports it at the end. */
  async ipBatch(lines: string[]): Promise<void> {
    if (lines.length) await this.run('ip', ['-force', '-batch', '-'], lines.join('\n') + '\n');
  }

  async bridgeBatch(lines: string[]): Promise<void> {
    if (lines.length) await this.run('bridge', ['-force', '-batch', '-'], lines.join('\n') + '\n');
  }

  /** Writes a sysctl under /proc/sys (inside the namespace when there is a prefix). */
  async sysctl(key: string, value: string): Promise<void> {
    await this.run('sh', ['-c', `echo ${value} > /proc/sys/${key.replace(/\./g, '/')}`]);
  }
}
