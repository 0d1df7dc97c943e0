// The joining side: fetch the first server's CA without trusting it, check it against the
// token's hash, then fetch the shared keys over TLS pinned to that CA with the token's secret.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { BOOTSTRAP_PATH, type BootstrapBundle } from './bootstrap-route.js';
import { caHash, type JoinToken } from './join-token.js';

interface Answer {
  status: number;
  body: string;
}

function get(url: URL, opts: { ca?: string; auth?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 443,
        servername: isIP(url.hostname.replace(/^\[|\]$/g, '')) ? '' : url.hostname,
        path: url.pathname,
        method: 'GET',
        // without a CA we read /cacerts only, whose bytes we then check against the token's hash
        ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
        headers: opts.auth ? { Authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` } : {},
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export class JoinError extends Error {}

/** The server's CA bundle, accepted only when its sha256 is the token's hash. */
export async function fetchCA(server: string, hash: string): Promise<string> {
  const base = new URL(server);
  if (base.protocol !== 'https:') throw new JoinError(`--server must be an https:// URL, got "${server}"`);
  let cacerts: Answer;
  try {
    cacerts = await get(new URL('/cacerts', base), {});
  } catch (err) {
    throw new JoinError(`cannot reach ${server}: ${(err as Error).message}`);
  }
  if (cacerts.status !== 200) throw new JoinError(`${server}/cacerts answered ${cacerts.status}`);
  if (caHash(cacerts.body) !== hash)
    throw new JoinError(
      `token CA hash does not match the Cluster CA certificate hash of ${server}: ` +
        `the token is not for this cluster (or someone is in the middle)`,
    );
  return cacerts.body;
}

export async function fetchBootstrap(
  server: string,
  token: JoinToken,
): Promise<{ ca: string; bundle: BootstrapBundle }> {
  const base = new URL(server);
  const ca = await fetchCA(server, token.caHash);
  const r = await get(new URL(BOOTSTRAP_PATH, base), {
    ca,
    auth: `${token.username}:${token.secret}`,
  });
  if (r.status === 401)
    throw new JoinError(`${server} refused the join token: it is not this cluster's server token`);
  if (r.status !== 200)
    throw new JoinError(`${server}${BOOTSTRAP_PATH} answered ${r.status}: ${r.body.trim()}`);
  return { ca, bundle: JSON.parse(r.body) as BootstrapBundle };
}

/** Writes the shared files into this server's data dir (keys 0600). */
export function writeBundle(dataDir: string, bundle: BootstrapBundle): void {
  for (const [rel, content] of Object.entries(bundle.files)) {
    if (rel.includes('..')) throw new JoinError(`refusing bootstrap file outside the data dir: ${rel}`);
    const abs = join(dataDir, rel);
    mkdirSync(dirname(abs), { recursive: true, mode: 0o700 });
    writeFileSync(abs, content, { mode: rel.endsWith('.crt') ? 0o644 : 0o600 });
  }
}
