/**
 * A minimal protocol v1 client over raw `ws` for conformance checks: it sends exact frames (or raw bytes),
 * answers server pings, and returns responses in arrival order without interpreting them.
 */
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '@vinegym/protocol';

export interface OkResponse {
  id: number;
  ok: true;
  body: Record<string, any>;
}
export interface ErrorResponse {
  id: number | null;
  ok: false;
  error: { code: string; message: string; details?: Record<string, any> };
}
export type Response = OkResponse | ErrorResponse;

export class RawClient {
  /** Every error code any RawClient has received, so that the suite can check them against the registry. */
  static readonly errorCodesSeen = new Set<string>();
  private readonly queue: Response[] = [];
  private readonly waiters: Array<(r: Response) => void> = [];
  private nextId = 1;
  pingsAnswered = 0;
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) throw new Error('server sent a text frame');
      const frame = decodeFrame(new Uint8Array(data)) as any;
      if (frame && frame.type === 'ping' && !('id' in frame)) {
        this.ws.send(encodeFrame({ type: 'pong', nonce: frame.nonce }));
        this.pingsAnswered++;
        return;
      }
      if (frame && frame.ok === false && typeof frame.error?.code === 'string')
        RawClient.errorCodesSeen.add(frame.error.code);
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame as Response);
      else this.queue.push(frame as Response);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code: number) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  /** Connects and says hello with protocol version 1. */
  static async greeted(url: string, token?: string): Promise<RawClient> {
    const client = await RawClient.connect(url);
    await client.ok('hello', helloBody(token));
    return client;
  }

  /** The next response, in arrival order. */
  next(timeoutMs = 20_000): Promise<Response> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response in time')), timeoutMs);
      this.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  /** Sends a request frame and returns its id (without waiting). */
  send(type: string, body: object): number {
    const id = this.nextId++;
    this.ws.send(encodeFrame({ id, type, body }));
    return id;
  }

  async request(type: string, body: object): Promise<Response> {
    const id = this.send(type, body);
    const response = await this.next();
    if (response.id !== id) throw new Error(`response id ${String(response.id)} does not answer request ${id}`);
    return response;
  }

  /** The result body of a request that must succeed. */
  async ok(type: string, body: object): Promise<Record<string, any>> {
    const response = await this.request(type, body);
    if (!response.ok) {
      throw new Error(`${type} failed: ${response.error.code} ${response.error.message}`);
    }
    return response.body;
  }

  /** The error of a request that must fail with `code`. */
  async fails(type: string, body: object, code: string): Promise<ErrorResponse['error']> {
    const response = await this.request(type, body);
    if (response.ok) throw new Error(`${type} ${JSON.stringify(Object.keys(body))} succeeded, expected ${code}`);
    if (response.error.code !== code) {
      throw new Error(`${type} failed with ${response.error.code} (${response.error.message}), expected ${code}`);
    }
    return response.error;
  }

  close(): Promise<number> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    return this.closed;
  }
}

export function helloBody(token?: string): Record<string, unknown> {
  return {
    protocol_versions: [1],
    client: { name: 'vinegym-conformance', version: '0.1.0' },
    ...(token === undefined ? {} : { token }),
  };
}
