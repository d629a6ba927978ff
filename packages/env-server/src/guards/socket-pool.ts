/**
 * The pool of connections that have not completed hello (PROTOCOL.md section 9, `max_pending_connections`):
 * every TCP connection starts in it, HTTP requests included, and leaves it when its WebSocket completes hello or it
 * closes. When a new connection would make it too large, the oldest one is dropped, so sockets that never say hello
 * cannot keep a client that does out (it completes hello long before a flood could push it out), and the number of
 * open sockets stays bounded whatever the peers do.
 */
import type { Socket } from 'node:net';

/** Identifies a connection across its layers: the TCP socket and the TLS socket wrapped around it share it. */
export function peerKey(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}

export class PendingSocketPool {
  /** Oldest first (a Map keeps insertion order). */
  private readonly sockets = new Map<string, Socket>();

  constructor(
    private readonly maxPending: number,
    /** Called for each socket dropped to make room. */
    private readonly onDrop: (socket: Socket) => void,
  ) {}

  get size(): number {
    return this.sockets.size;
  }

  /** A new TCP connection: joins the pool, dropping the oldest members beyond the limit. */
  admit(socket: Socket): void {
    const key = peerKey(socket);
    this.sockets.set(key, socket);
    socket.once('close', () => {
      if (this.sockets.get(key) === socket) this.sockets.delete(key);
    });
    for (const [oldestKey, oldest] of this.sockets) {
      if (this.sockets.size <= this.maxPending) break;
      this.sockets.delete(oldestKey);
      this.onDrop(oldest);
      oldest.destroy();
    }
  }

  /** The connection of `socket` (TCP or TLS) completed hello: it leaves the pool. */
  promote(socket: { remoteAddress?: string; remotePort?: number }): void {
    this.sockets.delete(peerKey(socket));
  }
}
