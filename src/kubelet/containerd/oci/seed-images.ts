// The images the seed documents run (../shared/seed-features.md §3.2), built offline from the
// same busybox and k8ts-test layers as the test images, under the names the documents use, so
// their manifests run unchanged. Each does what its document needs of it, no more:
//   registry.k8s.io/serve_hostname     HTTP on :9376 answering the pod's hostname (004 §2.1.2)
//   gurumee92/simple-app:v1            HTTP on :8080 answering "Hello World v1" (003)
//   gurumee92/count                    writes "RUNNING loop seq <i>" to /var/htdocs/index.html every 10 s (003)
//   httpd                              busybox httpd serving /usr/local/apache2/htdocs on :80 (003)
//   vish/stress, polinux/stress        k8ts-test's stress under those images' commands (004 §3.3.4, §4.1)
//   debian, ubuntu                     a busybox userland with sh, bash (as sh), sleep, ps (004 §2.1.4, §2.1.6)
// They are not the upstream images: `debian` has no apt, `httpd` is busybox's. docs/containerd.md.
import type { ImageRuntimeConfig, Layer } from './layout.js';
import { makeLayer } from './layout.js';
import type { TarEntry } from './tar.js';

export interface SeedImageLayers {
  busybox: () => Layer;
  testTool: () => Layer;
  pathEnv: string;
}

interface SeedImage {
  file: string;
  names: string[];
  contents: () => { layers: Layer[]; config: ImageRuntimeConfig };
}

const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';

function entries(...list: TarEntry[]): Layer {
  return makeLayer(list);
}

const dir = (path: string): TarEntry => ({ type: 'dir', path, mode: 0o755 });
const file = (path: string, data: string, mode = 0o644): TarEntry => ({
  type: 'file',
  path,
  data: Buffer.from(data),
  mode,
});

/** httpd's document root and a foreground start script, as the official image lays them out. */
function httpdLayer(): Layer {
  return entries(
    dir('usr/local'),
    dir('usr/local/apache2'),
    dir('usr/local/apache2/htdocs'),
    dir('usr/local/bin'),
    file('usr/local/apache2/htdocs/index.html', HTTPD_INDEX),
    file(
      'usr/local/bin/httpd-foreground',
      '#!/bin/sh\n# busybox httpd in the foreground, access log on stderr, as the official image logs\nexec httpd -f -v -p 80 -h /usr/local/apache2/htdocs\n',
      0o755,
    ),
  );
}

/** `bash` for images whose documents type it: busybox's sh under that name, with a bash-like prompt. */
function shellLayer(): Layer {
  return entries(
    dir('usr/local'),
    dir('usr/local/bin'),
    file('usr/local/bin/bash', '#!/bin/sh\nexec /bin/sh "$@"\n', 0o755),
    // single quotes: in double quotes the shell would eat the backslash of \$ (# for root)
    file('etc/profile', "PS1='\\u@\\h:\\w\\$ '\nexport PS1\n. /etc/shrc\n"),
  );
}

export function seedImages(l: SeedImageLayers): SeedImage[] {
  const env = [l.pathEnv];
  const tool = () => [l.busybox(), l.testTool()];
  return [
    {
      file: 'serve-hostname.tar',
      names: ['registry.k8s.io/serve_hostname:latest'],
      contents: () => ({
        layers: tool(),
        config: { Env: env, Cmd: ['k8ts-test', 'serve-hostname'], ExposedPorts: { '9376/tcp': {} } },
      }),
    },
    {
      file: 'simple-app.tar',
      names: ['docker.io/gurumee92/simple-app:v1'],
      contents: () => ({
        layers: tool(),
        config: { Env: env, Cmd: ['k8ts-test', 'serve', '--port', '8080'], ExposedPorts: { '8080/tcp': {} } },
      }),
    },
    {
      file: 'count.tar',
      names: ['docker.io/gurumee92/count:latest'],
      contents: () => ({ layers: tool(), config: { Env: env, Cmd: ['k8ts-test', 'count'] } }),
    },
    {
      file: 'httpd.tar',
      names: ['docker.io/library/httpd:latest'],
      contents: () => ({
        layers: [l.busybox(), httpdLayer()],
        config: { Env: env, Cmd: ['httpd-foreground'], ExposedPorts: { '80/tcp': {} } },
      }),
    },
    {
      file: 'vish-stress.tar',
      names: ['docker.io/vish/stress:latest'],
      contents: () => ({
        layers: tool(),
        config: { Env: env, Entrypoint: ['/usr/local/bin/stress', '-logtostderr'] },
      }),
    },
    {
      file: 'polinux-stress.tar',
      names: ['docker.io/polinux/stress:latest'],
      contents: () => ({ layers: tool(), config: { Env: env, Cmd: ['stress'] } }),
    },
    {
      file: 'debian.tar',
      names: ['docker.io/library/debian:latest', 'docker.io/library/ubuntu:latest'],
      contents: () => ({
        layers: [l.busybox(), shellLayer()],
        config: { Env: [...env, 'ENV=/etc/profile'], Cmd: ['bash'] },
      }),
    },
  ];
}
