/**
 * Back-off after failed tokens, per peer address (PROTOCOL.md section 6): the first few failures are free (typos),
 * then each failure doubles the time during which hellos from that address are refused without a token check, up
 * to a cap. Refusing without checking is what bounds the guessing rate: a guess that was checked, even if its
 * answer were delayed, would still reveal a success at once. Addresses are IPv4 addresses or IPv6 /64 prefixes
 * (one host usually owns a whole /64), at most MAX_ADDRESSES of them (the oldest are forgotten first).
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';

export const TOKEN_BACKOFF = {
  /** Failures per address before any wait. */
  freeFailures: 3,
  /** Wait after the first failure beyond the free ones; it doubles with each further failure. */
  firstWaitMs: 1000,
  maxWaitMs: 60_000,
  /** A failure record is forgotten this long after its last failure. */
  forgetAfterMs: 600_000,
  maxAddresses: 4096,
} as const;

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

export class TokenBackoff {
  private readonly addresses = new Map<string, Failures>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Milliseconds before `address` may try a token again; 0: now. */
  retryAfterMs(address: string | undefined): number {
    const entry = this.addresses.get(addressKey(address));
    return entry === undefined ? 0 : Math.max(0, entry.blockedUntil - this.now());
  }

  recordFailure(address: string | undefined): void {
    const key = addressKey(address);
    const now = this.now();
    const previous = this.addresses.get(key);
    const count =
      previous !== undefined && now - previous.lastAt < TOKEN_BACKOFF.forgetAfterMs ? previous.count + 1 : 1;
    const beyond = count - TOKEN_BACKOFF.freeFailures;
    const waitMs = beyond > 0 ? Math.min(TOKEN_BACKOFF.maxWaitMs, TOKEN_BACKOFF.firstWaitMs * 2 ** (beyond - 1)) : 0;
    // Re-inserting moves the address to the young end of the map.
    this.addresses.delete(key);
    this.addresses.set(key, { count, lastAt: now, blockedUntil: now + waitMs });
    for (const oldest of this.addresses.keys()) {
      if (this.addresses.size <= TOKEN_BACKOFF.maxAddresses) break;
      this.addresses.delete(oldest);
    }
  }
}

/** IPv4 addresses as they are (also when IPv4-mapped), IPv6 addresses by their /64 prefix. */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('%', 1)[0].split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') && tail ? tail.split(':') : [];
  const groups = [
    ...headGroups,
    ...new Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
    ...tailGroups,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
