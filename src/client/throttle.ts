// A RestClient that keeps at most `max` requests (default 64) in flight on its HTTP/2 session and queues
// the rest: the API server resets a session that opens streams without bound (nghttp2's
// ENHANCE_YOUR_CALM), which a scheduler binding thousands of pods at once would do. Watches
// (stream()) are not counted.
import { RestClient, type ClientConfig } from './rest.js';

export class ThrottledClient extends RestClient {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    config: ClientConfig,
    private readonly max = 64,
  ) {
    super(config);
  }

  override async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<T> {
    if (this.inFlight >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      return await super.request<T>(method, path, body, contentType);
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}
