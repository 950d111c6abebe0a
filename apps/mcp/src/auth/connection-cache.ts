import type { DbHandle } from '@frameport/db';
import { getConnectionByGrantId, subscribeToConnectionEvents, touchConnection, type Connection, type ConnectionEvent } from '@frameport/platform';

export interface ConnectionCacheOptions {
  database: DbHandle;
  /** Upper bound on staleness should a change notification be lost (e.g. a dropped LISTEN connection). */
  ttlMs?: number;
  /** How often "last used" is written per connection. */
  touchIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Grant id → connection, cached briefly and dropped the moment the authorization server publishes
 * a revoke or rebind (LISTEN/NOTIFY, heard by every instance), so a revoked connection fails on
 * its very next request without waiting for its token to expire.
 */
export class ConnectionCache {
  private readonly entries = new Map<string, { connection: Connection | null; expiresAt: number }>();
  private readonly touched = new Map<string, number>();
  private readonly listeners: ((event: ConnectionEvent) => void)[] = [];
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Bumped on every change event: a read that raced a change is used once but not cached. */
  private epoch = 0;
  private readonly ttlMs: number;
  private readonly touchIntervalMs: number;

  private readonly options: ConnectionCacheOptions;

  constructor(options: ConnectionCacheOptions) {
    this.options = options;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  async start(): Promise<void> {
    this.unsubscribe = await subscribeToConnectionEvents(this.options.database, (event) => {
      this.epoch += 1;
      this.entries.delete(event.grantId);
      for (const listener of this.listeners) listener(event);
    });
  }

  /** Called after the cache has dropped the changed connection. */
  onChange(listener: (event: ConnectionEvent) => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
    this.entries.clear();
  }

  async get(grantId: string): Promise<Connection | null> {
    const now = Date.now();
    const hit = this.entries.get(grantId);
    let connection: Connection | null;
    if (hit && hit.expiresAt > now) {
      connection = hit.connection;
    } else {
      const epoch = this.epoch;
      connection = await getConnectionByGrantId(this.options.database.db, grantId);
      if (epoch === this.epoch) this.entries.set(grantId, { connection, expiresAt: now + this.ttlMs });
    }
    if (connection && !connection.revokedAt) this.touch(connection.id, now);
    return connection;
  }

  private touch(connectionId: string, now: number): void {
    if ((this.touched.get(connectionId) ?? 0) + this.touchIntervalMs > now) return;
    this.touched.set(connectionId, now);
    touchConnection(this.options.database.db, connectionId, new Date(now)).catch((error) => this.options.onError?.(error));
  }
}
