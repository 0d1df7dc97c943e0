// The server join token, in k3s's format: K10<sha256 of the cluster CA bundle>::server:<secret>.
// The hash lets a joining server pin the CA before it trusts anything the first server says;
// the secret authenticates it to the bootstrap endpoint. The first server writes the token to
// <data-dir>/server/token at its first start (mode 0600) and every joined server keeps a copy.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface JoinToken {
  caHash: string;
  username: string;
  secret: string;
}

const FORMAT = /^K10([0-9a-f]{64})::([a-z]+):(.+)$/;

export function caHash(caBundlePem: string | Buffer): string {
  return createHash('sha256').update(caBundlePem).digest('hex');
}

export function formatJoinToken(t: JoinToken): string {
  return `K10${t.caHash}::${t.username}:${t.secret}`;
}

/** Parses a full token; anything else is refused (no join without pinning the CA). */
export function parseJoinToken(text: string): JoinToken {
  const m = FORMAT.exec(text.trim());
  if (!m)
    throw new Error(
      'invalid --token: want the full join token K10<ca-hash>::server:<secret> ' +
        '(the first server wrote it to <data-dir>/server/token)',
    );
  return { caHash: m[1]!, username: m[2]!, secret: m[3]! };
}

export function tokenPath(dataDir: string): string {
  return join(dataDir, 'server', 'token');
}

/**
 * The cluster's server token: the one on disk, else a new one (or the secret the operator
 * chose with --token) for the CA at caFile.
 */
export function ensureServerToken(dataDir: string, caFile: string, chosen?: string): JoinToken {
  const path = tokenPath(dataDir);
  if (existsSync(path)) return parseJoinToken(readFileSync(path, 'utf8'));
  const secret = chosen ? secretOf(chosen) : randomBytes(16).toString('hex');
  const token = { caHash: caHash(readFileSync(caFile)), username: 'server', secret };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatJoinToken(token) + '\n', { mode: 0o600 });
  return token;
}

/** --token on a first server may be a bare secret or a full token (its secret is used). */
function secretOf(chosen: string): string {
  const m = FORMAT.exec(chosen.trim());
  return m ? m[3]! : chosen.trim();
}

export function writeServerToken(dataDir: string, token: JoinToken): void {
  const path = tokenPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatJoinToken(token) + '\n', { mode: 0o600 });
}
