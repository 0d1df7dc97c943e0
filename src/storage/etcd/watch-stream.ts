// Our own multiplexer over one etcd Watch gRPC stream (as clientv3's watchGrpcStream): each
// storage watch is a watcher on it, identified by the watch_id etcd assigns in order of the
// create requests. We keep it ourselves rather than use the etcd3 client's watcher because we
// need etcd's progress requests (RequestWatchProgress): their answers carry watch_id -1 for
// the whole stream, which that client cannot route. On a broken stream every watcher is
// re-created from the revision after the last one it saw, so no event is lost or repeated.
import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { prefixEnd } from './keys.js';

export interface StreamWatch {
  prefix: string;
  /** First revision still to deliver; moved on by every response. */
  nextRevision: number;
  onEvents(events: IEvent[], revision: number): void;
  onProgress(revision: number): void;
  /** etcd ended the watch: compaction (compactRevision > 0) or another reason. */
  onCanceled(compactRevision: number, reason: string): void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;
/** The watch_id of responses meant for every watcher of a stream (etcd's progress answers). */
const STREAM_WIDE = -1;

export class WatchStream {
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private connecting = false;
  /** Sent create requests waiting for their `created` answer, in order. */
  private awaitingId: StreamWatch[] = [];
  private readonly byId = new Map<number, StreamWatch>();
  /** Every live watch (also those waiting for a reconnect). */
  private readonly watches = new Set<StreamWatch>();
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly client: WatchClient) {}

  add(w: StreamWatch): void {
    this.watches.add(w);
    if (this.stream) this.create(w);
    else this.connect();
  }

  remove(w: StreamWatch): void {
    if (!this.watches.delete(w)) return;
    for (const [id, x] of this.byId) {
      if (x !== w) continue;
      this.byId.delete(id);
      this.write({ cancel_request: { watch_id: id } });
    }
    // one still waiting for its id is cancelled when the id arrives (see onCreated)
  }

  requestProgress(): void {
    if (this.stream && this.awaitingId.length === 0) this.write({ progress_request: {} });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.watches.clear();
    this.stream?.cancel();
    this.stream = undefined;
  }

  private write(req: IWatchRequest): void {
    try {
      this.stream?.write(req);
    } catch {
      // the stream broke; its error handler reconnects
    }
  }

  private create(w: StreamWatch): void {
    this.awaitingId.push(w);
    this.write({
      create_request: {
        key: Buffer.from(w.prefix),
        range_end: prefixEnd(w.prefix),
        start_revision: w.nextRevision,
        prev_kv: true,
        progress_notify: true,
      },
    });
  }

  private connect(): void {
    if (this.connecting || this.stream || this.closed) return;
    this.connecting = true;
    this.client.watch().then(
      (stream) => {
        this.connecting = false;
        if (this.closed) return stream.cancel();
        this.stream = stream;
        this.awaitingId = [];
        this.byId.clear();
        stream.on('data', (res: IWatchResponse) => this.onResponse(res));
        const broken = () => this.onBroken(stream);
        stream.on('error', broken);
        stream.on('end', broken);
        for (const w of this.watches) this.create(w);
      },
      () => {
        this.connecting = false;
        this.scheduleReconnect();
      },
    );
  }

  private onBroken(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.watches.size === 0) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }

  private onResponse(res: IWatchResponse): void {
    this.retryMs = RECONNECT_MIN_MS;
    const id = Number(res.watch_id);
    const revision = Number(res.header.revision);
    if (res.created) return this.onCreated(id, res);
    if (id === STREAM_WIDE) {
      for (const w of this.byId.values()) this.deliver(w, res, revision);
      return;
    }
    const w = this.byId.get(id);
    if (!w) return;
    if (res.canceled) {
      this.byId.delete(id);
      this.watches.delete(w);
      return w.onCanceled(Number(res.compact_revision ?? 0), res.cancel_reason ?? '');
    }
    this.deliver(w, res, revision);
  }

  private onCreated(id: number, res: IWatchResponse): void {
    const w = this.awaitingId.shift();
    if (!w) return;
    if (res.canceled) {
      this.watches.delete(w);
      return w.onCanceled(Number(res.compact_revision ?? 0), res.cancel_reason ?? '');
    }
    if (!this.watches.has(w)) {
      // removed while its create was in flight
      this.write({ cancel_request: { watch_id: id } });
      return;
    }
    this.byId.set(id, w);
  }

  private deliver(w: StreamWatch, res: IWatchResponse, revision: number): void {
    if (res.events.length === 0) {
      // a progress answer: nothing up to `revision` is still to come for this watcher
      if (revision >= w.nextRevision) w.nextRevision = revision + 1;
      return w.onProgress(revision);
    }
    const last = Number(res.events[res.events.length - 1].kv.mod_revision);
    w.nextRevision = last + 1;
    w.onEvents(res.events, last);
  }
}
