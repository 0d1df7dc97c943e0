// Streams watch events to one client: `{"type":"ADDED","object":{...}}\n` per event, Tables
// when the client asked for them (kubectl get -w), bookmarks on request, and an ERROR event
// (a Status) when the watch cannot go on (e.g. 410 Expired).
import { randomInt } from 'node:crypto';
import { StatusError, internalError } from '../../api/errors.js';
import type { CacheEvent, CacheSelection } from '../../storage/cacher-types.js';
import type { Disposable } from '../../storage/types.js';
import type { OutputChoice } from '../http/negotiate.js';
import { baseHeaders, type Res } from '../http/io.js';
import { toTable } from './render.js';
import type { ResourceStore } from './store.js';

/** upstream's --min-request-timeout: watches last between 1x and 2x this unless the client says */
const MIN_REQUEST_TIMEOUT_S = 1800;
/** A client that lets this much pile up unread is dropped (upstream drops slow watchers too). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface WatchParams {
  fromRevision: number;
  selection: CacheSelection;
  choice: OutputChoice;
  bookmarks: boolean;
  timeoutSeconds?: number;
  includeObject: string | null;
}

export function serveWatch(res: Res, store: ResourceStore, p: WatchParams, onEnd: () => void): void {
  // no Content-Length: HTTP/1.1 streams it chunked, HTTP/2 as DATA frames
  res.writeHead(200, baseHeaders('application/json'));
  res.flushHeaders?.();
  let closed = false;
  // set once the cache watch is registered; finish() may run before that (replay overflow)
  const subscription: { current?: Disposable } = {};
  let tableHeaderSent = false;
  const timeoutS = p.timeoutSeconds ?? MIN_REQUEST_TIMEOUT_S + randomInt(MIN_REQUEST_TIMEOUT_S);
  const timer = setTimeout(() => finish(), timeoutS * 1000);

  const finish = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    subscription.current?.dispose();
    res.removeListener('close', finish);
    res.end();
    onEnd();
  };
  res.on('close', finish);

  const frame = (type: string, objectJSON: string) => {
    if (closed) return;
    res.write(`{"type":"${type}","object":${objectJSON}}\n`);
    if ((res.writableLength ?? 0) > MAX_BUFFERED_BYTES) finish();
  };

  const objectJSON = (ev: CacheEvent): string => {
    if (p.choice.shape === 'Table') {
      const served = store.view(ev.object.obj);
      const table = toTable(
        store,
        [served],
        { resourceVersion: String(ev.revision) },
        p.choice,
        p.includeObject,
        !tableHeaderSent,
      );
      tableHeaderSent = true;
      return JSON.stringify(table);
    }
    if (p.choice.shape === 'PartialObjectMetadata') {
      return JSON.stringify({
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${p.choice.metaVersion}`,
        metadata: ev.object.obj.metadata,
      });
    }
    if (store.strategy.storedAs) return JSON.stringify(store.view(ev.object.obj));
    return ev.object.json();
  };

  const bookmark = (revision: number) => {
    if (!p.bookmarks) return;
    const st = store.strategy;
    frame(
      'BOOKMARK',
      JSON.stringify({
        kind: st.kind,
        apiVersion: store.apiVersion,
        metadata: { resourceVersion: String(revision) },
      }),
    );
  };

  subscription.current = store.cache.watch(p.fromRevision, p.selection, {
    onEvent: (ev) => frame(ev.type, objectJSON(ev)),
    onBookmark: bookmark,
    onError: (err) => {
      const se = err instanceof StatusError ? err : internalError(err);
      frame('ERROR', JSON.stringify(se.toStatus()));
      finish();
    },
  });
  if (closed) subscription.current.dispose();
}
