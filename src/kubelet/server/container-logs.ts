// /containerLogs/{namespace}/{pod}/{container} (upstream's kubelet getContainerLogs): PodLogOptions
// from the query (and the legacy `tail`), the container the options mean (containers.ts), its
// CRI log file streamed (logs.ts). Errors are plain text with upstream's status codes.
import { parsePodLogOptions, validatePodLogOptions, type PodLogOptions } from '../../api/pod-log-options.js';
import { logContainerID } from './containers.js';
import { streamLogFile } from './logs.js';
import type { RouteCall } from './routes.js';

export async function serveContainerLogs(call: RouteCall): Promise<void> {
  const res = call.res!;
  const fail = (status: number, message: string) =>
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
  const q = new URLSearchParams(call.query);
  const tail = q.get('tail');
  if (tail) {
    q.set('tailLines', tail);
    if (tail === 'all') q.delete('tailLines');
  }
  let opts: PodLogOptions;
  try {
    opts = parsePodLogOptions(q);
  } catch {
    return void fail(400, '{"message": "Unable to decode query."}');
  }
  if (validatePodLogOptions(opts).length) return void fail(422, '{"message": "Invalid request."}');
  const { namespace, pod: name, container } = call.params;
  const pod = call.ctx.pod(namespace, name);
  if (!pod) return void fail(404, `pod ${JSON.stringify(name)} does not exist`);
  const spec = [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ];
  if (!spec.some((c) => c.name === container))
    return void fail(404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(name)}`);
  const rt = call.ctx.runtime;
  const uid = pod.metadata.uid ?? '';
  let containerID: string;
  try {
    containerID = logContainerID(rt.podStatus(uid), name, container, opts.previous);
  } catch (err) {
    return void fail(400, (err as Error).message);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  // a runtime without processes (sim) has containers that never wrote a line: an empty log
  const path = rt.streams?.logPath(uid, containerID);
  if (!path) return void res.end();
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const sinceMs =
    opts.sinceSeconds !== undefined
      ? Date.now() - opts.sinceSeconds * 1000
      : opts.sinceTime !== undefined
        ? Date.parse(opts.sinceTime)
        : undefined;
  const running = () => {
    const st = rt.podStatus(uid);
    const all = [
      ...(st?.containers ?? []),
      ...(st?.initContainers ?? []),
      ...(st?.ephemeralContainers ?? []),
    ];
    const c = all.find((x) => x.name === container);
    return !!c?.state.running && c.containerID === containerID;
  };
  try {
    await streamLogFile(
      path,
      {
        follow: opts.follow,
        timestamps: opts.timestamps,
        ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
        ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}),
        ...(sinceMs !== undefined ? { sinceMs } : {}),
      },
      { write: (b) => res.write(b), onceDrain: (cb) => res.once('drain', cb) },
      running,
      abort.signal,
    );
  } finally {
    res.end();
  }
}
