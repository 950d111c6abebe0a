/**
 * A fixed-window counter per key, in this process's memory. Behind a load balancer each
 * instance counts on its own, so the effective limit is the limit times the instances: coarse,
 * but it needs no shared store and bounds brute force by orders of magnitude.
 */
const MAX_KEYS = 10_000;

export class RateLimiter {
  private readonly hits = new Map<string, { windowStart: number; count: number }>();
  private readonly limit: number;
  private readonly windowMs: number;
  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }
  /** Counts one event for `key` and says whether it is still within the limit. */
  allow(key: string, now = Date.now()): boolean {
    const entry = this.hits.get(key);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      this.hits.delete(key);
      if (this.hits.size >= MAX_KEYS) this.evict(now);
      this.hits.set(key, { windowStart: now, count: 1 });
      return true;
    }
    entry.count += 1;
    return entry.count <= this.limit;
  }

  /**
   * Bounded memory without a reset an attacker could trigger: expired windows go first, then the
   * oldest (a Map iterates in insertion order), never the whole table.
   */
  private evict(now: number): void {
    for (const [k, e] of this.hits) if (now - e.windowStart >= this.windowMs) this.hits.delete(k);
    for (const k of this.hits.keys()) {
      if (this.hits.size < MAX_KEYS) break;
      this.hits.delete(k);
    }
  }

  /** Whether `key` has used up its window, without counting anything. */
  exhausted(key: string, now = Date.now()): boolean {
    const entry = this.hits.get(key);
    return Boolean(entry && now - entry.windowStart < this.windowMs && entry.count >= this.limit);
  }

  /** Milliseconds until `key`'s window ends (0 when it is not limited). */
  retryAfterMs(key: string, now = Date.now()): number {
    const entry = this.hits.get(key);
    return entry ? Math.max(0, this.windowMs - (now - entry.windowStart)) : 0;
  }
}
