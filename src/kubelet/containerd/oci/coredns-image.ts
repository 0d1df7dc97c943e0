// The cluster DNS image k8ts.io/coredns, built offline like the test images: the node binary
// that runs this agent with the shared libraries ldd lists, and the compiled modules that
// `k8ts dns` imports (found by following the import statements from dist/src/dns/cmd.js, npm
// packages copied whole). Its layers hash the files they hold, so a changed k8ts build gives a
// new image digest at the next agent start, and an unchanged one is only hashed.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLayer, type ImageRuntimeConfig, type Layer } from './layout.js';
import type { TarEntry } from './tar.js';

/** The image the coredns Deployment runs (k3s names its image rancher/mirrored-coredns-coredns). */
export const COREDNS_IMAGE = 'k8ts.io/coredns:v1.31.0-k8ts';
/** Where the DNS modules live in the image. */
const APP = 'k8ts';

/** The compiled tree root (dist/) this file runs from: dist/src/kubelet/containerd/oci/. */
function distRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

/** Bare package name of a specifier (`yaml`, `@scope/pkg/sub` → `@scope/pkg`), or undefined for node: and relative ones. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function findPackage(fromDir: string, name: string): string {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(d) === d) throw new Error(`package ${name} not found from ${fromDir}`);
  }
}

/** Every file under dir (regular files; nested node_modules are copied too). */
function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The modules reachable from an entry: relative .js files under root, and whole npm packages. */
export function moduleClosure(entry: string): { files: string[]; packages: Map<string, string> } {
  const builtins = new Set([
    'fs',
    'path',
    'url',
    'os',
    'crypto',
    'net',
    'dgram',
    'http',
    'https',
    'http2',
    'util',
  ]);
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  for (let f = queue.pop(); f; f = queue.pop()) {
    if (files.has(f)) continue;
    files.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const pkg = packageOf(spec);
      if (pkg === undefined) {
        const target = resolve(dirname(f), spec);
        if (spec.startsWith('.') && existsSync(target)) queue.push(target);
        continue;
      }
      if (builtins.has(pkg) || packages.has(pkg)) continue;
      packages.set(pkg, findPackage(dirname(f), pkg));
    }
  }
  return { files: [...files].sort(), packages };
}

function fileEntry(hostPath: string, imagePath: string): TarEntry {
  const real = realpathSync(hostPath);
  return { type: 'file', path: imagePath, data: readFileSync(real), mode: statSync(real).mode & 0o7777 };
}

/** Directory entries for every parent of the given image paths, parents first. */
function parentDirs(paths: string[]): TarEntry[] {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && d !== '/'; d = dirname(d)) dirs.add(d);
  return [...dirs].sort().map((d): TarEntry => ({ type: 'dir', path: d, mode: 0o755 }));
}

/** The k8ts dns modules (or those of another entry under dist/) and their npm packages under /k8ts. */
export function dnsModulesLayer(root = distRoot(), entryPath = ['src', 'dns', 'cmd.js']): Layer {
  const entry = join(root, ...entryPath);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
  const { files, packages } = moduleClosure(entry);
  const entries: TarEntry[] = files.map((f) => fileEntry(f, join(APP, 'dist', relative(root, f))));
  for (const [name, dir] of [...packages].sort()) {
    for (const f of walk(dir).sort())
      entries.push(fileEntry(f, join(APP, 'node_modules', name, relative(dir, f))));
  }
  // the compiled modules are ESM, as package.json says for the k8ts tree
  entries.push({
    type: 'file',
    path: `${APP}/package.json`,
    data: Buffer.from('{"type":"module"}\n'),
    mode: 0o644,
  });
  return makeLayer([...parentDirs(entries.map((e) => e.path)), ...entries]);
}

let nodeMemo: { key: string; layer: Layer } | undefined;

/** The node binary at /usr/bin/node with its shared libraries and the /etc basics. */
export function nodeRuntimeLayer(nodeBinary: string, sharedLibraries: (bin: string) => string[]): Layer {
  const st = statSync(realpathSync(nodeBinary));
  const key = `${nodeBinary}:${st.size}:${st.mtimeMs}`;
  if (nodeMemo?.key === key) return nodeMemo.layer;
  const libs = sharedLibraries(nodeBinary);
  const files: TarEntry[] = [
    fileEntry(nodeBinary, 'usr/bin/node'),
    ...libs.map((l) => fileEntry(l, l.slice(1))),
    {
      type: 'file',
      path: 'etc/passwd',
      data: Buffer.from('root:x:0:0:root:/root:/sbin/nologin\n'),
      mode: 0o644,
    },
    { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n'), mode: 0o644 },
    { type: 'file', path: 'etc/nsswitch.conf', data: Buffer.from('hosts: files dns\n'), mode: 0o644 },
  ];
  const mounts: TarEntry[] = ['proc', 'sys', 'dev', 'run', 'root'].map((d) => ({
    type: 'dir',
    path: d,
    mode: 0o755,
  }));
  const layer = makeLayer([
    ...parentDirs(files.map((e) => e.path)),
    ...mounts,
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    ...files,
  ]);
  nodeMemo = { key, layer };
  return layer;
}

export function corednsImageConfig(): ImageRuntimeConfig {
  return {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Entrypoint: ['/usr/bin/node', `/${APP}/dist/src/dns/cmd.js`],
    ExposedPorts: { '53/tcp': {}, '53/udp': {}, '9153/tcp': {} },
  };
}
