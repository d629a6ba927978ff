/**
 * Watches the bytes of a WebSocket connection as they arrive, below ws: the size of the message being received
 * (so a smaller limit than ws's `maxPayload`, which is fixed per server, can hold before hello) and how long it has
 * been coming (so a peer that sends most of a large message and then goes silent cannot hold that memory).
 *
 * It listens to the socket's 'data' events after ws has parsed each read: if ws completed a message (or a control
 * frame) during that read, the message in progress starts afresh; otherwise the read's bytes belong to the message
 * in progress. That undercounts by at most one read (the tail of a read that completed a message), so a limit
 * holds to within one read (64 KiB) and uses only public events of net and ws. The bytes counted include the
 * WebSocket frame headers (2 to 14 bytes per fragment), which the limit, a payload size, does not: FRAMING_SLACK
 * allows for them, so that the guard is never stricter than the check of a complete message.
 */
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export type GuardViolation = 'too_big' | 'too_slow';

/** Header bytes of up to 73 fragments of one message, counted on top of its payload. */
export const FRAMING_SLACK = 1024;

export class IncomingGuard {
  /** Largest message in bytes; Infinity leaves it to ws's maxPayload. */
  maxMessageBytes: number;
  private pendingBytes = 0;
  /** When the first read of the message in progress arrived; 0: no message in progress. */
  private startedAt = 0;
  private completedInRead = false;
  private violated = false;

  constructor(
    socket: Duplex,
    ws: WebSocket,
    maxMessageBytes: number,
    private readonly messageTimeoutMs: number,
    private readonly onViolation: (violation: GuardViolation) => void,
  ) {
    this.maxMessageBytes = maxMessageBytes;
    const completed = (): void => {
      this.completedInRead = true;
    };
    ws.on('message', completed);
    ws.on('ping', completed);
    ws.on('pong', completed);
    // Added after ws's own listener (handleUpgrade attached it), so it sees each read after ws has parsed it.
    socket.on('data', (chunk: Buffer) => this.onRead(chunk.length));
  }

  /** Called periodically: reports a message that has been arriving for longer than the message timeout. */
  check(now: number = performance.now()): void {
    if (this.startedAt !== 0 && this.messageTimeoutMs > 0 && now - this.startedAt > this.messageTimeoutMs)
      this.violate('too_slow');
  }

  private onRead(bytes: number): void {
    if (this.completedInRead) {
      this.completedInRead = false;
      this.pendingBytes = 0;
      this.startedAt = 0;
      return;
    }
    if (this.startedAt === 0) this.startedAt = performance.now();
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.maxMessageBytes + FRAMING_SLACK) this.violate('too_big');
  }

  private violate(violation: GuardViolation): void {
    if (this.violated) return;
    this.violated = true;
    this.startedAt = 0;
    this.onViolation(violation);
  }
}
