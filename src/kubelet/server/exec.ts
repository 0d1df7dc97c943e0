// /exec and /attach (upstream's kubelet getExec/getAttach): options from the API server's
// query (command, input, output, error, tty as "1"), the pod and container looked up, then
// the session bridged to the runtime (remotecommand.ts). Errors before the upgrade are
// answered as upstream's streaming.WriteError: status and the error's text.
import type { StreamRequest } from '../runtime/types.js';
import { ContainerLookupError, runningContainerID } from './containers.js';
import { bridgeRemoteCommand, writeRawResponse } from './remotecommand.js';
import type { RouteCall } from './routes.js';

/** upstream's remotecommand NewOptions: at least one stream; a TTY merges stderr into stdout. */
export function streamOptions(q: URLSearchParams): StreamRequest {
  const on = (k: string) => q.get(k) === '1';
  const o = { stdin: on('input'), stdout: on('output'), stderr: on('error'), tty: on('tty') };
  if (!o.stdin && !o.stdout && !o.stderr)
    throw new ContainerLookupError('you must specify at least 1 of stdin, stdout, stderr');
  if (o.tty) o.stderr = false;
  return o;
}

async function serve(call: RouteCall, exec: boolean): Promise<void> {
  const { socket, head } = call.upgrade ?? {};
  const fail = (status: number, message: string) => {
    if (socket) writeRawResponse(socket, status, message);
    else call.res!.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
  };
  const { namespace, pod: name, container, uid } = call.params;
  let opts: StreamRequest;
  try {
    opts = streamOptions(call.query);
  } catch (err) {
    return fail(400, (err as Error).message);
  }
  const cmd = call.query.getAll('command');
  const pod = call.ctx.pod(namespace, name);
  if (!pod || (uid && pod.metadata.uid !== uid)) return fail(404, 'pod does not exist');
  const streams = call.ctx.runtime.streams;
  if (!streams)
    return fail(
      400,
      `container runtime "${call.ctx.runtime.name}" runs no processes, so ${exec ? 'exec' : 'attach'} is not available for its pods`,
    );
  let containerID: string;
  try {
    containerID = runningContainerID(call.ctx.runtime.podStatus(pod.metadata.uid ?? ''), container);
  } catch (err) {
    return fail(500, (err as Error).message);
  }
  if (!socket) return fail(400, 'Upgrade request required');
  await bridgeRemoteCommand(call.req, socket, head!, opts, () =>
    exec ? streams.execURL(containerID, cmd, opts) : streams.attachURL(containerID, opts),
  );
}

export const serveExec = (call: RouteCall) => serve(call, true);
export const serveAttach = (call: RouteCall) => serve(call, false);
