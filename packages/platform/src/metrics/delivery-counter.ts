import type { Database } from '@frameport/db';
import type { EnvironmentScope } from '../scope.ts';
import { incrementUsage } from '../usage/usage.ts';
import { recordMetrics } from './metrics.ts';

interface Pending {
  scope: EnvironmentScope;
  at: Date;
  requests: number;
  transferBytes: number;
  cacheHits: number;
  cacheMisses: number;
}

/** Counts within this window reach the database together. */
export const DELIVERY_FLUSH_MS = 1000;

/**
 * Write-behind counting of CDN deliveries. Writing two upserts per delivered image made every
 * request wait on the database and, under load, on the row locks of one hot hourly bucket
 * (bench/cdn.bench.ts measured 0.1× of /healthz). Deliveries are now added up in memory per
 * Environment and hour and written at most once a second, in one transaction, so a failed flush
 * is retried whole and never counted twice. The cost: metrics and the delivered-bytes limit lag
 * by up to a second per instance, and a crash loses at most that second of counts.
 */
export class DeliveryCounter {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly db: Database;
  private readonly onError: (error: unknown) => void;

  constructor(db: Database, onError: (error: unknown) => void = () => {}) {
    this.db = db;
    this.onError = onError;
  }

  add(scope: EnvironmentScope, d: { sizeBytes: number; cacheHit: boolean | null }, at = new Date()): void {
    const hour = new Date(at);
    hour.setUTCMinutes(0, 0, 0);
    // The hour is part of the key: counts land in the bucket of when they happened.
    const key = `${scope.environmentId}|${hour.toISOString()}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { scope, at, requests: 0, transferBytes: 0, cacheHits: 0, cacheMisses: 0 };
      this.pending.set(key, entry);
    }
    entry.requests += 1;
    entry.transferBytes += d.sizeBytes;
    if (d.cacheHit === true) entry.cacheHits += 1;
    if (d.cacheHit === false) entry.cacheMisses += 1;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, DELIVERY_FLUSH_MS).unref();
  }

  /** Writes what has been counted so far; resolves once it is in the database. */
  flush(): Promise<void> {
    // One write at a time; a failed one (its counts already put back) must not block the next.
    const next = this.running.catch(() => {}).then(() => this.write());
    this.running = next;
    return next;
  }

  /** Stops the timer and writes the rest (an app's onClose). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.db.transaction(async (tx) => {
        const db = tx as unknown as Database;
        for (const e of batch.values()) {
          await recordMetrics(db, e.scope, { requests: e.requests, transferBytes: e.transferBytes, cacheHits: e.cacheHits, cacheMisses: e.cacheMisses }, e.at);
          await incrementUsage(db, e.scope, 'delivered_bytes', e.transferBytes, e.at);
        }
      });
    } catch (error) {
      // Put the batch back (adding to anything counted meanwhile) so the next flush retries it.
      for (const [key, e] of batch) {
        const now = this.pending.get(key);
        if (!now) this.pending.set(key, e);
        else {
          now.requests += e.requests;
          now.transferBytes += e.transferBytes;
          now.cacheHits += e.cacheHits;
          now.cacheMisses += e.cacheMisses;
        }
      }
      throw error;
    }
  }
}
