// `k8ts certs check-expiration` and `k8ts certs renew all|<name>` (kubeadm certs, seed 004
// §3.1.1) for the server's certificates in <data-dir>/server/tls: every *.crt there, the
// self-signed ones being the certificate authorities. Renewal reissues a certificate from its CA
// with the same subject, names and usages, a new key and a year of validity; a certificate whose
// CA key is not on disk is externally managed and left alone.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issue, loadIssuer, sansOf } from '../pki/certs.js';

const HELP = `Usage:
  k8ts certs check-expiration [--data-dir DIR]   Show when the server's certificates expire
  k8ts certs renew all|<name> [--data-dir DIR]   Reissue certificates from the cluster CA
`;
const RENEWED_VALIDITY_DAYS = 365;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

interface CertFile {
  name: string;
  cert: X509Certificate;
  isCA: boolean;
  /** the CA that signed it (by subject), for leaf certificates */
  issuer?: string;
  /** its CA's key is not on disk: we cannot renew it */
  external: boolean;
}

/** kubeadm's ShortHumanDuration. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Go's "Jan 02, 2006 15:04 MST" in UTC, as kubeadm prints EXPIRES. */
export function expiresText(d: Date): string {
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${month} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** A tabwriter-like table: columns padded to their widest cell plus three spaces. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('') + '\n')
    .join('');
}

export function readCertificates(tlsDir: string): CertFile[] {
  if (!existsSync(tlsDir))
    throw new Error(`no certificates in ${tlsDir} (has the server run with this --data-dir?)`);
  const files = readdirSync(tlsDir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), cert: new X509Certificate(readFileSync(join(tlsDir, f))) }));
  const cas = files.filter((f) => f.cert.ca && f.cert.checkIssued(f.cert));
  return files.map(({ name, cert }) => {
    const isCA = cas.some((c) => c.name === name);
    if (isCA) return { name, cert, isCA, external: !existsSync(join(tlsDir, `${name}.key`)) };
    const ca = cas.find((c) => cert.checkIssued(c.cert) && cert.verify(c.cert.publicKey));
    const out: CertFile = { name, cert, isCA, external: !ca || !existsSync(join(tlsDir, `${ca.name}.key`)) };
    if (ca) out.issuer = ca.name;
    return out;
  });
}

export function checkExpiration(tlsDir: string, now = Date.now()): string {
  const certs = readCertificates(tlsDir);
  const row = (c: CertFile) => {
    const end = new Date(c.cert.validTo);
    return [c.name, expiresText(end), shortHumanDuration(end.getTime() - now)];
  };
  const leaves = certs.filter((c) => !c.isCA);
  const cas = certs.filter((c) => c.isCA);
  return (
    table([
      ['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED'],
      ...leaves.map((c) => [...row(c), c.issuer ?? '', c.external ? 'yes' : 'no']),
    ]) +
    '\n' +
    table([
      ['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED'],
      ...cas.map((c) => [...row(c), c.external ? 'yes' : 'no']),
    ])
  );
}

function subjectField(subject: string, key: string): string[] {
  return subject
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

async function renewOne(tlsDir: string, c: CertFile): Promise<void> {
  const ca = await loadIssuer({
    certPem: readFileSync(join(tlsDir, `${c.issuer}.crt`), 'utf8'),
    keyPem: readFileSync(join(tlsDir, `${c.issuer}.key`), 'utf8'),
  });
  const sans = sansOf(c.cert.toString());
  const eku = c.cert.keyUsage ?? [];
  const usage = eku.includes(SERVER_AUTH)
    ? eku.includes(CLIENT_AUTH)
      ? 'server+client'
      : 'server'
    : 'client';
  const renewed = await issue(ca, {
    commonName: subjectField(c.cert.subject, 'CN')[0] ?? '',
    organizations: subjectField(c.cert.subject, 'O'),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP:')).map((s) => s.slice(3)),
    usage,
    validDays: RENEWED_VALIDITY_DAYS,
  });
  writeFileSync(join(tlsDir, `${c.name}.crt`), renewed.certPem, { mode: 0o644 });
  writeFileSync(join(tlsDir, `${c.name}.key`), renewed.keyPem, { mode: 0o600 });
}

export async function renew(tlsDir: string, which: string, out: (s: string) => void): Promise<void> {
  const certs = readCertificates(tlsDir);
  const leaves = certs.filter((c) => !c.isCA);
  const names = leaves.map((c) => c.name);
  const chosen = which === 'all' ? leaves : leaves.filter((c) => c.name === which);
  if (!chosen.length) {
    if (certs.some((c) => c.name === which))
      throw new Error(`"${which}" is a certificate authority: it cannot be renewed, only replaced`);
    throw new Error(`unknown certificate "${which}"; one of: all, ${names.join(', ')}`);
  }
  for (const c of chosen) {
    if (c.external) {
      out(`certificate ${c.name} is externally managed (its CA key is not in ${tlsDir}); skipped\n`);
      continue;
    }
    await renewOne(tlsDir, c);
    out(`certificate ${c.name} renewed\n`);
  }
  out('\nDone renewing certificates. You must restart k8ts server so that it uses the new certificates.\n');
}

export async function runCerts(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [cmd, which] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(HELP);
    return values.help ? 0 : 1;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  const tlsDir = join(dataDir, 'server', 'tls');
  if (cmd === 'check-expiration') {
    process.stdout.write(checkExpiration(tlsDir));
    return 0;
  }
  if (cmd === 'renew') {
    if (!which) throw new Error('certs renew: say which certificate: all, or one name from check-expiration');
    await renew(tlsDir, which, (s) => process.stdout.write(s));
    return 0;
  }
  process.stderr.write(`k8ts certs: unknown command "${cmd}"\n\n${HELP}`);
  return 1;
}
