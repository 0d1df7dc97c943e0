// A SPDY/3.1 session over any byte stream (a TCP/TLS socket after an HTTP upgrade, or a
// WebSocket tunnel): multiplexed bidirectional streams with half-close, RST_STREAM, PING,
// GOAWAY, SETTINGS and per-stream flow control.
//
// Interoperability with Go's moby/spdystream (kubectl, client-go, containerd's streaming
// server), which shapes three choices:
// - spdystream never sends WINDOW_UPDATE and ignores the ones it gets, so a sender that waits
//   for window updates from it stalls after 64 KiB. We send WINDOW_UPDATEs as our reader
//   consumes (harmless to spdystream) but only hold our own sending to the peer's window once
//   the peer has shown it does flow control (sent a WINDOW_UPDATE or an INITIAL_WINDOW_SIZE).
//   A peer overrunning our window is tolerated, as spdystream tolerates it.
// - spdystream answers a stream's data only after its SYN_REPLY; we keep frames in send order
//   (header compression is stateful, so SYN_STREAM/SYN_REPLY/HEADERS are compressed in order).
// - spdystream applies TCP backpressure (a stream's reader blocks the frame loop); so do we:
//   when a stream's read buffer is full the socket is paused until that stream is read.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  encodeFrame,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameParser,
  RST,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SpdyProtocolError,
  type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './headers.js';

export const DEFAULT_WINDOW = 64 * 1024;
/** Data frames we send carry at most this much (spdystream writes what io.Copy hands it, 32 KiB). */
const MAX_DATA_CHUNK = 32 * 1024;

export interface SpdySessionOptions {
  /** The client opens odd stream ids and pings, the server even ones. */
  role: 'client' | 'server';
  /** Closes the session after this long without a frame in either direction (0: never). */
  idleTimeoutMs?: number;
}

export class SpdyStreamResetError extends Error {
  constructor(readonly status: number) {
    super('stream reset');
  }
}

type State = { initialSendWindow: number };

/** One SPDY stream: a Duplex whose end() sends FIN and whose readable ends on the peer's FIN. */
export class SpdyStream extends Duplex {
  /** Set once a SYN_REPLY was sent (incoming) or received (outgoing). */
  replied = false;
  /** The peer reset the stream (RST_STREAM). */
  resetByPeer = false;
  localFin = false;
  remoteFin = false;
  sendWindow: number;
  private unacked = 0;
  private readonly windowWaiters: (() => void)[] = [];

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
    state: State,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = state.initialSendWindow;
  }

  /** The first value of a header (names are lowercase on the wire). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Accepts an incoming stream (SYN_REPLY). */
  accept(headers: SpdyHeaders = {}): void {
    if (this.replied) return;
    this.replied = true;
    void this.session.sendHeaders({ type: 'syn_reply', streamId: this.id, flags: 0 }, headers);
  }

  /** Refuses or aborts the stream (RST_STREAM, CANCEL by default as spdystream's Reset()). */
  reset(status: number = RST.CANCEL): void {
    if (this.destroyed) return;
    this.session.send({ type: 'rst_stream', streamId: this.id, flags: 0, status });
    this.resetSent = true;
    this.destroy();
  }
  private resetSent = false;

  override _read(): void {
    this.session.resumeFor(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writeData(chunk).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.localFin = true;
    this.session
      .send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) })
      .then(() => {
        this.session.maybeForget(this);
        cb();
      }, cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.resetSent && !this.resetByPeer && !(this.localFin && this.remoteFin) && !this.session.closed) {
      this.session.send({ type: 'rst_stream', streamId: this.id, flags: 0, status: RST.CANCEL });
    }
    for (const w of this.windowWaiters.splice(0)) w();
    this.session.forget(this);
    cb(err);
  }

  private async writeData(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      if (this.destroyed || this.session.closed) throw new Error('write on closed stream');
      let n = Math.min(MAX_DATA_CHUNK, chunk.length - off);
      if (this.session.peerFlowControl) {
        while (this.sendWindow <= 0 && !this.destroyed)
          await new Promise<void>((r) => this.windowWaiters.push(r));
        n = Math.min(n, this.sendWindow);
      }
      this.sendWindow -= n;
      await this.session.send({
        type: 'data',
        streamId: this.id,
        flags: 0,
        data: chunk.subarray(off, off + n),
      });
      off += n;
    }
  }

  /** @internal the peer granted more window */
  grow(delta: number): void {
    this.sendWindow += delta;
    if (this.sendWindow > 0) for (const w of this.windowWaiters.splice(0)) w();
  }

  /** @internal data from the peer; returns false when the reader is behind */
  deliver(data: Buffer): boolean {
    const more = this.push(data);
    this.unacked += data.length;
    if (more) this.ack();
    return more;
  }

  /** @internal return window for what was consumed (WINDOW_UPDATE every half window) */
  ack(): void {
    if (this.unacked >= DEFAULT_WINDOW / 2 && !this.remoteFin && !this.destroyed) {
      this.session.send({ type: 'window_update', streamId: this.id, flags: 0, delta: this.unacked });
      this.unacked = 0;
    }
  }
}

/**
 * Events: 'stream' (stream: SpdyStream) for each stream the peer opens — accept() or reset()
 * it; 'close' once the underlying connection is gone; 'error' (Error) on a protocol error
 * (the session closes after it).
 */
export class SpdySession extends EventEmitter {
  closed = false;
  peerFlowControl = false;
  private initialSendWindow = DEFAULT_WINDOW;
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pendingReplies = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly pings = new Map<number, () => void>();
  private nextStreamId: number;
  private nextPingId: number;
  private lastPeerStreamId = 0;
  private goneAway = false;
  private readonly parser = new FrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  /** Outgoing frames wait here while a header block ahead of them is being compressed. */
  private outChain: Promise<void> = Promise.resolve();
  private outPending = 0;
  /** Incoming frames wait here while a header block ahead of them is being decompressed. */
  private inChain: Promise<void> = Promise.resolve();
  private inPending = 0;
  private readonly blockedReaders = new Set<SpdyStream>();
  private idleTimer?: NodeJS.Timeout;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: Duplex,
    private readonly opts: SpdySessionOptions,
  ) {
    super();
    const client = opts.role === 'client';
    this.nextStreamId = client ? 1 : 2;
    this.nextPingId = client ? 1 : 2;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.drained());
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
    if (opts.idleTimeoutMs) {
      this.idleTimer = setTimeout(() => this.destroy(), opts.idleTimeoutMs);
      this.idleTimer.unref?.();
    }
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Opens a stream (SYN_STREAM) and resolves once the peer accepted it (SYN_REPLY). */
  async openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.closed || this.goneAway) throw new Error('session closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers, this.flowState());
    this.streams.set(id, stream);
    const replied = new Promise<void>((resolve, reject) => this.pendingReplies.set(id, { resolve, reject }));
    if (opts.fin) stream.localFin = true;
    void this.sendHeaders(
      {
        type: 'syn_stream',
        streamId: id,
        associatedTo: 0,
        priority: 0,
        slot: 0,
        flags: opts.fin ? FLAG_FIN : 0,
      },
      headers,
    );
    try {
      await replied;
    } catch (e) {
      stream.destroy();
      throw e;
    }
    return stream;
  }

  /** Sends a PING and resolves with the round trip in ms. */
  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId += 2;
    const t = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('session closed'));
      this.pings.set(id, () => resolve(performance.now() - t));
      void this.send({ type: 'ping', flags: 0, id });
    });
  }

  /** Sends GOAWAY and closes the connection once every stream has finished. */
  close(): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      void this.send({ type: 'goaway', flags: 0, lastGoodStreamId: this.lastPeerStreamId, status: 0 });
    }
    this.endIfIdle();
  }

  /** Drops the connection and every stream at once. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  // ---- sending ----

  /** Queues a frame; resolves once the socket took it (and drained, if it had to). */
  send(frame: Frame): Promise<void> {
    if (this.outPending === 0) return this.write(encodeFrame(frame));
    return this.enqueue(async () => encodeFrame(frame));
  }

  /** @internal a frame carrying a header block, compressed in send order */
  sendHeaders(
    frame: WithoutHeaderBlock<Extract<Frame, { type: 'syn_stream' | 'syn_reply' | 'headers' }>>,
    headers: SpdyHeaders,
  ): Promise<void> {
    const compressed = this.compressor.compress(headers);
    return this.enqueue(async () => encodeFrame({ ...frame, headerBlock: await compressed } as Frame));
  }

  private enqueue(build: () => Promise<Buffer>): Promise<void> {
    this.outPending++;
    const done = this.outChain.then(async () => {
      try {
        await this.write(await build());
      } catch {
        // compression fails only once the session is shut down: the frame has nowhere to go
      } finally {
        this.outPending--;
      }
    });
    this.outChain = done;
    return done;
  }

  private write(bytes: Buffer): Promise<void> {
    // a frame for a closed session goes nowhere; stream writes check for that themselves
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    this.idleTimer?.refresh();
    if (this.socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private drained(): void {
    for (const w of this.drainWaiters.splice(0)) w();
  }

  // ---- receiving ----

  private onData(chunk: Buffer): void {
    this.idleTimer?.refresh();
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      return this.fail(e as Error);
    }
    for (const f of frames) {
      if (this.inPending === 0 && !hasHeaderBlock(f)) {
        this.handle(f, undefined);
        continue;
      }
      this.inPending++;
      const headers = hasHeaderBlock(f) ? this.decompressor.decompress(f.headerBlock) : undefined;
      this.inChain = this.inChain
        .then(async () => this.handle(f, headers ? await headers : undefined))
        .catch((e: Error) => this.fail(e))
        .finally(() => this.inPending--);
    }
  }

  private handle(f: Frame, headers: SpdyHeaders | undefined): void {
    if (this.closed) return;
    switch (f.type) {
      case 'syn_stream':
        return this.onSynStream(f, headers ?? {});
      case 'syn_reply': {
        const s = this.streams.get(f.streamId);
        const pending = this.pendingReplies.get(f.streamId);
        if (!s || !pending) return;
        this.pendingReplies.delete(f.streamId);
        s.replied = true;
        pending.resolve();
        if (f.flags & FLAG_FIN) this.remoteFinished(s);
        return;
      }
      case 'headers': {
        const s = this.streams.get(f.streamId);
        if (s && f.flags & FLAG_FIN) this.remoteFinished(s);
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteFin) return;
        if (f.data.length && !s.deliver(f.data)) this.blockReader(s);
        if (f.flags & FLAG_FIN) this.remoteFinished(s);
        return;
      }
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.resetByPeer = true;
        const pending = this.pendingReplies.get(f.streamId);
        this.pendingReplies.delete(f.streamId);
        pending?.reject(new SpdyStreamResetError(f.status));
        s.emit('reset', f.status);
        if (!s.remoteFin) s.push(null);
        s.destroy();
        return;
      }
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          this.peerFlowControl = true;
          const delta = e.value - this.initialSendWindow;
          this.initialSendWindow = e.value;
          for (const s of this.streams.values()) s.grow(delta);
        }
        return;
      case 'window_update':
        this.peerFlowControl = true;
        this.streams.get(f.streamId)?.grow(f.delta);
        return;
      case 'ping': {
        const mine = (f.id & 1) === (this.nextPingId & 1);
        if (!mine) {
          void this.send({ type: 'ping', flags: 0, id: f.id });
          return;
        }
        const done = this.pings.get(f.id);
        this.pings.delete(f.id);
        done?.();
        return;
      }
      case 'goaway':
        this.goneAway = true;
        this.endIfIdle();
        return;
      case 'unknown':
        return;
    }
  }

  private onSynStream(f: Extract<Frame, { type: 'syn_stream' }>, headers: SpdyHeaders): void {
    const peerParity = this.opts.role === 'server' ? 1 : 0;
    if (f.streamId === 0 || (f.streamId & 1) !== peerParity || f.streamId <= this.lastPeerStreamId) {
      void this.send({ type: 'rst_stream', streamId: f.streamId, flags: 0, status: RST.PROTOCOL_ERROR });
      return;
    }
    this.lastPeerStreamId = f.streamId;
    if (this.goneAway) {
      void this.send({ type: 'rst_stream', streamId: f.streamId, flags: 0, status: RST.REFUSED_STREAM });
      return;
    }
    const s = new SpdyStream(this, f.streamId, headers, this.flowState());
    this.streams.set(f.streamId, s);
    if (f.flags & FLAG_UNIDIRECTIONAL) s.localFin = true;
    this.emit('stream', s);
    if (f.flags & FLAG_FIN) this.remoteFinished(s);
  }

  private remoteFinished(s: SpdyStream): void {
    if (s.remoteFin) return;
    s.remoteFin = true;
    s.push(null);
    this.maybeForget(s);
  }

  private blockReader(s: SpdyStream): void {
    this.blockedReaders.add(s);
    this.socket.pause();
  }

  /** @internal a stream's reader wants more */
  resumeFor(s: SpdyStream): void {
    s.ack();
    if (!this.blockedReaders.delete(s)) return;
    if (this.blockedReaders.size === 0 && !this.closed) this.socket.resume();
  }

  /** @internal both directions finished: the stream is done */
  maybeForget(s: SpdyStream): void {
    if (s.localFin && s.remoteFin) this.forget(s);
  }

  /** @internal */
  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) !== s) return;
    this.streams.delete(s.id);
    if (this.blockedReaders.delete(s) && this.blockedReaders.size === 0 && !this.closed) this.socket.resume();
    this.endIfIdle();
  }

  private flowState(): State {
    return { initialSendWindow: this.initialSendWindow };
  }

  private endIfIdle(): void {
    if (this.goneAway && this.streams.size === 0 && !this.closed) {
      void this.outChain.then(() => this.socket.end());
    }
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.emit('protocolError', e);
    if (e instanceof SpdyProtocolError && !this.socket.writableEnded) {
      // GOAWAY with PROTOCOL_ERROR (1), flushed before the connection closes
      const goaway = encodeFrame({
        type: 'goaway',
        flags: 0,
        lastGoodStreamId: this.lastPeerStreamId,
        status: 1,
      });
      this.socket.end(goaway);
      setTimeout(() => this.socket.destroy(), 1000).unref();
      return this.shutdown(false);
    }
    this.destroy();
  }

  private shutdown(destroySocket = true): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const p of this.pendingReplies.values()) p.reject(new Error('session closed'));
    this.pendingReplies.clear();
    for (const s of [...this.streams.values()]) {
      if (!s.remoteFin) s.push(null);
      s.destroy();
    }
    this.streams.clear();
    this.drained();
    this.compressor.close();
    this.decompressor.close();
    if (destroySocket && !this.socket.destroyed) this.socket.destroy();
    this.emit('close');
  }
}

type WithoutHeaderBlock<T> = T extends unknown ? Omit<T, 'headerBlock'> : never;

function hasHeaderBlock(f: Frame): f is Extract<Frame, { type: 'syn_stream' | 'syn_reply' | 'headers' }> {
  return f.type === 'syn_stream' || f.type === 'syn_reply' || f.type === 'headers';
}
