// `k8ts token create|list|delete`: bootstrap tokens for joining agents, as `kubeadm token`
// and `k3s token` manage them: Secrets bootstrap-token-<id> of type bootstrap.kubernetes.io/token
// in kube-system, written through the API with the admin kubeconfig.
import { randomInt } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { caHash } from '../cluster/join-token.js';
import { goDurationMs } from '../util/duration.js';

const HELP = `Usage: k8ts token <create|list|delete> [flags]

  create                  Make a bootstrap token and print it (<id>.<secret>)
  list                    List bootstrap tokens
  delete <id|token>...    Delete bootstrap tokens

Flags:
  --kubeconfig FILE       Admin kubeconfig (default $KUBECONFIG, else <data-dir>/admin.kubeconfig)
  --data-dir DIR          State directory of the server (default /var/lib/k8ts as root, else ~/.k8ts)
  --ttl DURATION          create: lifetime, e.g. 24h, 90m; 0 = never expires (default 24h)
  --description TEXT      create: a human-readable note
  --groups LIST           create: extra groups, comma-separated (default system:bootstrappers:k8ts:default-node-token)
  --usages LIST           create: signing,authentication (default both)
  --join                  create: print the agent join token K10<ca-hash>::<id>.<secret> (k8ts agent --token)
`;

const NAMESPACE = 'kube-system';
const PREFIX = 'bootstrap-token-';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** A Go duration ("24h", "1h30m", "45s", "0") in seconds. */
export function parseDuration(text: string): number {
  return goDurationMs(text) / 1000;
}

function decode(secret: KubeObject, key: string): string {
  const v = (secret.data as Record<string, string> | undefined)?.[key];
  return v ? Buffer.from(v, 'base64').toString('utf8') : '';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** kubeadm's TTL column: whole hours (or minutes/seconds under an hour), <forever> when none. */
function ttlOf(expiration: string, now: Date): string {
  if (!expiration) return '<forever>';
  const s = Math.max(0, Math.floor((Date.parse(expiration) - now.getTime()) / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

export function bootstrapTokenSecret(
  id: string,
  secret: string,
  opts: { ttlSeconds: number; description?: string; groups: string[]; usages: string[]; now: Date },
): KubeObject {
  const stringData: Record<string, string> = { 'token-id': id, 'token-secret': secret };
  if (opts.description) stringData.description = opts.description;
  if (opts.ttlSeconds > 0)
    stringData.expiration = new Date(opts.now.getTime() + opts.ttlSeconds * 1000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  for (const u of opts.usages) stringData[`usage-bootstrap-${u}`] = 'true';
  if (opts.groups.length) stringData['auth-extra-groups'] = opts.groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: PREFIX + id, namespace: NAMESPACE },
    type: 'bootstrap.kubernetes.io/token',
    stringData,
  } as KubeObject;
}

export async function runToken(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string' },
      'data-dir': { type: 'string' },
      ttl: { type: 'string', default: '24h' },
      description: { type: 'string' },
      groups: { type: 'string', default: 'system:bootstrappers:k8ts:default-node-token' },
      usages: { type: 'string', default: 'signing,authentication' },
      join: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, ...names] = positionals;
  if (values.help || !sub) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG ?? join(dataDir, 'admin.kubeconfig');
  const config = loadKubeconfig(kubeconfig, 'k8ts-token/v1.31.0 (k8ts)');
  const client = new RestClient(config);
  try {
    if (sub === 'create') {
      const usages = values
        .usages!.split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      for (const u of usages)
        if (u !== 'signing' && u !== 'authentication')
          throw new Error(
            `invalid bootstrap token usage string: ${u}, valid usage options: signing, authentication`,
          );
      const groups = values
        .groups!.split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      const id = randomString(6);
      const secret = randomString(16);
      const body = bootstrapTokenSecret(id, secret, {
        ttlSeconds: parseDuration(values.ttl!),
        description: values.description,
        groups,
        usages,
        now: new Date(),
      });
      await client.request('POST', SECRETS, body);
      // the hash pins the CA for a joining agent, as the K10 prefix of k3s's tokens
      const prefix = values.join ? `K10${caHash(config.ca)}::` : '';
      process.stdout.write(`${prefix}${id}.${secret}\n`);
      return 0;
    }
    if (sub === 'list') {
      const list = await client.request<{ items: KubeObject[] }>('GET', SECRETS);
      const now = new Date();
      const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
      for (const s of list.items) {
        const id = decode(s, 'token-id');
        if ((s as { type?: string }).type !== 'bootstrap.kubernetes.io/token' || !id) continue;
        const usages = Object.keys((s.data as Record<string, string>) ?? {})
          .filter((k) => k.startsWith('usage-bootstrap-') && decode(s, k) === 'true')
          .map((k) => k.slice('usage-bootstrap-'.length))
          .sort();
        const exp = decode(s, 'expiration');
        rows.push([
          `${id}.${decode(s, 'token-secret')}`,
          ttlOf(exp, now),
          exp || '<never>',
          usages.join(','),
          decode(s, 'description') || '<none>',
          decode(s, 'auth-extra-groups') || '<none>',
        ]);
      }
      process.stdout.write(table(rows));
      return 0;
    }
    if (sub === 'delete') {
      if (!names.length)
        throw new Error(
          'missing subcommand; "token delete" is missing token of form "[a-z0-9]{6}" or "[a-z0-9]{6}\\.[a-z0-9]{16}"',
        );
      for (const n of names) {
        const id = n.split('.')[0]!;
        if (!/^[a-z0-9]{6}$/.test(id))
          throw new Error(`given token didn't match pattern "[a-z0-9]{6}" or "[a-z0-9]{6}\\.[a-z0-9]{16}"`);
        await client.request('DELETE', `${SECRETS}/${PREFIX}${id}`);
        process.stdout.write(`bootstrap token "${id}" deleted\n`);
      }
      return 0;
    }
    process.stderr.write(`k8ts token: unknown subcommand "${sub}"\n\n${HELP}`);
    return 1;
  } catch (err) {
    if (err instanceof StatusError) {
      process.stderr.write(`k8ts token: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    client.close();
  }
}
