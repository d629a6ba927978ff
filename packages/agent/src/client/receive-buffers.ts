/**
 * The receive buffers of a Connection that reuses them (`reuseReceiveBuffers`): each response is assembled in a
 * buffer lent from here, the typed arrays decoded from it view it, and every lent buffer comes back when the next
 * request is sent. In a step loop that is one buffer, written again each step, instead of a new one per response.
 */

/** Free buffers kept for reuse at most (the largest ones); more are left to the garbage collector. */
const MAX_FREE = 4;

export class ReceiveBufferPool {
  private readonly free: Uint8Array[] = [];
  private readonly lent: Uint8Array[] = [];

  /** `length` bytes in the smallest free buffer that holds them, or in a new one; lent until `releaseAll`. */
  take(length: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.length;
      if (size >= length && (best < 0 || size < this.free[best]!.length)) best = i;
    }
    const buffer = best < 0 ? new Uint8Array(length) : this.free.splice(best, 1)[0]!;
    this.lent.push(buffer);
    return buffer.subarray(0, length);
  }

  /** Everything lent so far may be written again (what was decoded from it is no longer the caller's). */
  releaseAll(): void {
    if (this.lent.length === 0) return;
    this.free.push(...this.lent);
    this.lent.length = 0;
    if (this.free.length > MAX_FREE) {
      this.free.sort((a, b) => b.length - a.length);
      this.free.length = MAX_FREE;
    }
  }
}
