// The test images k8ts builds from the host's Debian packages, since no registry is reachable:
//   docker.io/library/busybox:latest (+ :1.36)  busybox-static with its applet symlinks, wget with -T
//   docker.io/library/busybox:1.28 (+ gcr.io)    the same with busybox 1.28's nslookup output (gcc)
//   registry.k8s.io/pause:3.9                    a static pause binary (gcc -static), else busybox sleep
//   docker.io/library/nginx:latest               Debian's nginx + the libraries ldd lists, default page on :80
//   k8ts.io/test:latest                          busybox + scripts/images/k8ts-test.sh (HTTP text, memory, CPU)
//   k8ts.io/coredns:<tag>                        node + the `k8ts dns` modules (coredns-image.ts), the cluster DNS
//   the seed documents' images (seed-images.ts): serve_hostname, simple-app, count, httpd, stress, debian
// Each becomes one OCI layout tarball. A build is skipped when a key over the layer digests and
// the config matches the one recorded for the tarball, so re-running costs only hashing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImageLayout, makeLayer, type ImageRuntimeConfig, type Layer } from './layout.js';
import type { TarEntry } from './tar.js';
import { seedImages } from './seed-images.js';
import { COREDNS_IMAGE, corednsImageConfig, dnsModulesLayer, nodeRuntimeLayer } from './coredns-image.js';
import { CPA_ENTRY, CPA_IMAGE, cpaImageConfig, cpaLauncherLayer } from './cpa-image.js';

const BUILD_FORMAT = 1; // bump to rebuild every cached image after a change of the layout code
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** What busybox's interactive sh reads first (etc/shrc of the busybox layer). */
const SHRC_ENV = 'ENV=/etc/shrc';

export interface TestImage {
  /** File name under the output dir. */
  file: string;
  names: string[];
  /** Layers and config, computed on demand (reads host files, may compile). */
  contents: () => { layers: Layer[]; config: ImageRuntimeConfig };
}

export interface BuildResult {
  file: string;
  names: string[];
  manifestDigest: string;
  cached: boolean;
  ms: number;
}

/** Where scripts/images lives (this file runs from src/ under ts tools or from dist/src/). */
export function scriptsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'scripts', 'images');
    if (existsSync(join(candidate, 'pause.c'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('scripts/images not found above ' + fileURLToPath(import.meta.url));
}

function file(path: string, data: Uint8Array | string, mode = 0o644): TarEntry {
  return { type: 'file', path, data: typeof data === 'string' ? Buffer.from(data) : data, mode };
}

function hostFile(hostPath: string, imagePath = hostPath): TarEntry {
  const real = realpathSync(hostPath);
  return file(imagePath, readFileSync(real), statSync(real).mode & 0o7777);
}

function dirs(...paths: string[]): TarEntry[] {
  return paths.map((p) => ({ type: 'dir', path: p, mode: p === 'tmp' ? 0o1777 : 0o755 }));
}

function findBusybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!existsSync(p)) continue;
    if (isStatic(p)) return p;
  }
  throw new Error('no static busybox on this host: apt-get install busybox-static');
}

function isStatic(path: string): boolean {
  try {
    execFileSync('ldd', [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    return false;
  } catch {
    return true; // ldd exits non-zero with "not a dynamic executable"
  }
}

let busyboxMemo: Layer | undefined;

/** busybox at /bin/busybox, a symlink per applet where `busybox --list-full` puts it, /etc basics. */
export function busyboxLayer(): Layer {
  if (busyboxMemo) return busyboxMemo;
  const bin = findBusybox();
  const applets = execFileSync(bin, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'bin/busybox');
  const entries: TarEntry[] = [
    ...dirs('bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'tmp', 'var', 'var/www', 'home'),
    ...dirs('proc', 'sys', 'dev', 'run'),
    hostFile(bin, 'bin/busybox'),
    ...applets
      .filter((a) => a !== 'usr/bin/wget')
      .map((a): TarEntry => ({ type: 'symlink', path: a, target: '/bin/busybox' })),
    // busybox's wget behind a script that adds the -T/--timeout this build lacks; busybox's sh
    // runs its applets ahead of $PATH, so its interactive shells ($ENV) call the script by path
    file('usr/bin/wget', readFileSync(join(scriptsDir(), 'wget-timeout.sh')), 0o755),
    file('etc/shrc', 'wget() { /usr/bin/wget "$@"; }\n'),
    { type: 'symlink', path: 'var/run', target: '/run' },
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'),
    file('etc/group', 'root:x:0:\nnogroup:x:65534:\n'),
    file('etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n'),
  ];
  busyboxMemo = makeLayer(entries);
  return busyboxMemo;
}

/**
 * A static binary compiled from scripts/images/<source>, cached by the source's hash; undefined
 * when this host cannot compile it (no gcc or no static libc), so callers fall back.
 */
function compiledTool(cacheDir: string, source: string): Buffer | undefined {
  const src = join(scriptsDir(), source);
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
  const out = join(cacheDir, `${source.replace(/\.c$/, '')}-${hash}`);
  if (!existsSync(out)) {
    mkdirSync(cacheDir, { recursive: true });
    try {
      execFileSync('gcc', ['-static', '-Os', '-s', '-o', out + '.tmp', src], { stdio: 'pipe' });
      renameSync(out + '.tmp', out);
    } catch {
      return undefined;
    }
  }
  return readFileSync(out);
}

/** The pause binary compiled from scripts/images/pause.c. */
export function pauseLayer(cacheDir: string): Layer | undefined {
  const pause = compiledTool(cacheDir, 'pause.c');
  return pause && makeLayer([file('pause', pause, 0o755)]);
}

/** busybox 1.28's nslookup (scripts/images/nslookup-1.28.c) over the newer applet. */
export function nslookup128Layer(cacheDir: string): Layer | undefined {
  const tool = compiledTool(cacheDir, 'nslookup-1.28.c');
  return tool && makeLayer([...dirs('usr', 'usr/bin'), file('usr/bin/nslookup', tool, 0o755)]);
}

/** Paths of the shared libraries `ldd` reports for a binary, the dynamic loader included. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = line.match(/=>\s*(\/\S+)/) ?? line.match(/^\s*(\/\S+)\s+\(/);
    if (m) libs.push(m[1]);
  }
  return libs;
}

const NGINX_CONF = `user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log notice;
pid /run/nginx.pid;
events {
    worker_connections 1024;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /var/log/nginx/access.log;
    sendfile on;
    keepalive_timeout 65;
    server {
        listen 80;
        server_name localhost;
        location / {
            root /usr/share/nginx/html;
            index index.html index.htm;
        }
        error_page 500 502 503 504 /50x.html;
        location = /50x.html {
            root /usr/share/nginx/html;
        }
    }
}
`;

export function nginxLayer(): Layer {
  const bin = '/usr/sbin/nginx';
  if (!existsSync(bin)) throw new Error('nginx is not installed on this host: apt-get install nginx-light');
  const index = existsSync('/usr/share/nginx/html/index.html')
    ? readFileSync('/usr/share/nginx/html/index.html')
    : Buffer.from(
        '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1></body></html>\n',
      );
  // the host's curl too when it has one: the seeds curl from inside nginx pods (003 `kubectl
  // exec -it nginx -- curl svc.ns:8080`, 004 §2.1.7 `curl http://localhost/`)
  const curl = existsSync('/usr/bin/curl') ? ['/usr/bin/curl'] : [];
  const libs = [...new Set([bin, ...curl].flatMap((b) => sharedLibraries(b)))];
  const libDirs = new Set<string>();
  for (const l of libs) for (let d = dirname(l); d !== '/'; d = dirname(d)) libDirs.add(d.slice(1));
  const entries: TarEntry[] = [
    ...dirs(...[...libDirs].sort()),
    ...dirs('etc/nginx', 'etc/nginx/conf.d', 'usr/share/nginx', 'usr/share/nginx/html'),
    ...dirs(
      'var/log',
      'var/log/nginx',
      'var/lib',
      'var/lib/nginx',
      'var/cache',
      'var/cache/nginx',
      'var/lock',
    ),
    hostFile(bin, 'usr/sbin/nginx'),
    ...curl.map((c) => hostFile(c, c.slice(1))),
    ...libs.map((l) => hostFile(l)),
    file('etc/nginx/nginx.conf', NGINX_CONF),
    hostFile('/etc/nginx/mime.types', 'etc/nginx/mime.types'),
    file('usr/share/nginx/html/index.html', index),
    // As the upstream image does: logs go to the container's stdout/stderr.
    { type: 'symlink', path: 'var/log/nginx/access.log', target: '/dev/stdout' },
    { type: 'symlink', path: 'var/log/nginx/error.log', target: '/dev/stderr' },
    file(
      'etc/passwd',
      'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx user:/nonexistent:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
    ),
    file('etc/group', 'root:x:0:\nnginx:x:101:\nnogroup:x:65534:\n'),
  ];
  return makeLayer(entries);
}

export function testToolLayer(): Layer {
  const script = readFileSync(join(scriptsDir(), 'k8ts-test.sh'));
  return makeLayer([
    ...dirs('usr', 'usr/local', 'usr/local/bin'),
    file('usr/local/bin/k8ts-test', script, 0o755),
    { type: 'symlink', path: 'usr/local/bin/stress', target: 'k8ts-test' },
  ]);
}

export function testImages(cacheDir: string): TestImage[] {
  return [
    {
      file: 'busybox.tar',
      names: ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36'],
      contents: () => ({ layers: [busyboxLayer()], config: { Env: [PATH_ENV, SHRC_ENV], Cmd: ['sh'] } }),
    },
    {
      // the seeds' old busybox tags: the same busybox, but nslookup answers in 1.28's format
      file: 'busybox-1.28.tar',
      names: ['docker.io/library/busybox:1.28', 'gcr.io/google-containers/busybox:latest'],
      contents: () => {
        const nslookup = nslookup128Layer(cacheDir);
        return {
          layers: nslookup ? [busyboxLayer(), nslookup] : [busyboxLayer()],
          config: { Env: [PATH_ENV, SHRC_ENV], Cmd: ['sh'] },
        };
      },
    },
    {
      file: 'pause.tar',
      names: ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.1', 'k8s.gcr.io/pause:3.4.1'],
      contents: () => {
        const pause = pauseLayer(cacheDir);
        if (pause) return { layers: [pause], config: { Env: [PATH_ENV], Entrypoint: ['/pause'] } };
        return { layers: [busyboxLayer()], config: { Env: [PATH_ENV], Entrypoint: ['/bin/sleep', 'inf'] } };
      },
    },
    {
      file: 'nginx.tar',
      // Debian's nginx also under the tags the Kubernetes docs' examples use (deployment, rollout)
      names: [
        'docker.io/library/nginx:latest',
        'docker.io/library/nginx:1.14.2',
        'docker.io/library/nginx:1.16.1',
        'docker.io/library/nginx:1.25',
      ],
      contents: () => ({
        layers: [busyboxLayer(), nginxLayer()],
        config: {
          Env: [PATH_ENV],
          Cmd: ['nginx', '-g', 'daemon off;'],
          ExposedPorts: { '80/tcp': {} },
          StopSignal: 'SIGQUIT',
        },
      }),
    },
    {
      file: 'k8ts-test.tar',
      names: ['k8ts.io/test:latest'],
      contents: () => ({
        layers: [busyboxLayer(), testToolLayer()],
        config: { Env: [PATH_ENV], Cmd: ['k8ts-test', 'serve'], ExposedPorts: { '8080/tcp': {} } },
      }),
    },
    {
      file: 'coredns.tar',
      names: [COREDNS_IMAGE],
      contents: () => ({
        layers: [nodeRuntimeLayer(process.execPath, sharedLibraries), dnsModulesLayer()],
        config: corednsImageConfig(),
      }),
    },
    {
      file: 'cpa.tar',
      names: [CPA_IMAGE],
      contents: () => ({
        layers: [
          nodeRuntimeLayer(process.execPath, sharedLibraries),
          dnsModulesLayer(undefined, CPA_ENTRY),
          cpaLauncherLayer(),
        ],
        config: cpaImageConfig(),
      }),
    },
    ...seedImages({ busybox: busyboxLayer, testTool: testToolLayer, pathEnv: PATH_ENV }),
  ];
}

/** Builds (or finds cached) every test image into outDir; `only` filters by file name. */
export function buildTestImages(
  outDir: string,
  opts: { cacheDir?: string; only?: string[] } = {},
): BuildResult[] {
  const cacheDir = opts.cacheDir ?? join(outDir, '.k8ts-build');
  mkdirSync(cacheDir, { recursive: true });
  const results: BuildResult[] = [];
  for (const img of testImages(cacheDir)) {
    if (opts.only && !opts.only.includes(img.file) && !opts.only.includes(img.file.replace(/\.tar$/, '')))
      continue;
    const started = performance.now();
    const { layers, config } = img.contents();
    const key = createHash('sha256')
      .update(JSON.stringify({ BUILD_FORMAT, names: img.names, config, layers: layers.map((l) => l.diffId) }))
      .digest('hex');
    const target = join(outDir, img.file);
    const keyFile = join(cacheDir, img.file + '.key');
    const recorded = existsSync(keyFile) ? JSON.parse(readFileSync(keyFile, 'utf8')) : undefined;
    if (existsSync(target) && recorded?.key === key) {
      results.push({
        file: target,
        names: recorded.names,
        manifestDigest: recorded.manifestDigest,
        cached: true,
        ms: performance.now() - started,
      });
      continue;
    }
    const built = buildImageLayout(img.names, layers, config);
    writeFileSync(target + '.tmp', built.archive);
    renameSync(target + '.tmp', target);
    writeFileSync(keyFile, JSON.stringify({ key, names: built.names, manifestDigest: built.manifestDigest }));
    results.push({
      file: target,
      names: built.names,
      manifestDigest: built.manifestDigest,
      cached: false,
      ms: performance.now() - started,
    });
  }
  return results;
}
