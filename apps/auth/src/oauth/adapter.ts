import { createHash } from 'node:crypto';
import { schema, type Database } from '@frameport/db';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const t = schema.oidcModels;

/**
 * Several processes of one client (Claude Code, Codex) may refresh the same token at once. Inside
 * this window after a rotation the consumed refresh token works exactly once more; reuse after it
 * (or a second extra use) is treated as replay and revokes the grant (RFC 9700 §4.14.2).
 */
export const REFRESH_GRACE_SECONDS = 30;

/**
 * Models whose id IS the credential a client presents (the refresh token, the authorization
 * code, ...). They are stored under SHA-256 of the id, and their payload without `jti`, so a
 * read of the database yields nothing that can be redeemed; `find` gets the id from the caller
 * and puts `jti` back. Only kinds oidc-provider looks up by id alone qualify: Session and
 * Interaction are also found by `uid` (which cannot give the id back), Grant and Client ids are
 * not bearer secrets.
 */
export const HASHED_KINDS: ReadonlySet<string> = new Set([
  'AuthorizationCode',
  'RefreshToken',
  'AccessToken',
  'ClientCredentials',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/** Registered clients with no live connection used for this long are purged. */
export const CLIENT_IDLE_DAYS = 30;

/**
 * oidc-provider's storage interface over the one `oidc_models` table. Expired rows are invisible
 * at once and deleted by `purgeExpired`; the grant id column lets a revocation remove every
 * artifact of a grant (its Grant row included) with one delete.
 */
export class DrizzleAdapter implements Adapter {
  private readonly kind: string;
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly hashed: boolean;

  constructor(kind: string, db: Database, now: () => Date = () => new Date()) {
    this.kind = kind;
    this.db = db;
    this.now = now;
    this.hashed = HASHED_KINDS.has(kind);
  }

  /** The stored key of a model id. */
  private key(id: string): string {
    return this.hashed ? createHash('sha256').update(id).digest('hex') : id;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const { jti: _jti, ...withoutJti } = payload;
    const values = {
      kind: this.kind,
      id: this.key(id),
      payload: this.hashed ? withoutJti : payload,
      grantId: this.kind === 'Grant' ? id : (payload.grantId ?? null),
      userCode: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expiresAt: expiresIn ? new Date(this.now().getTime() + expiresIn * 1000) : null,
    };
    await this.db
      .insert(t)
      .values(values)
      .onConflictDoUpdate({
        target: [t.kind, t.id],
        set: { payload: values.payload, grantId: values.grantId, userCode: values.userCode, uid: values.uid, expiresAt: values.expiresAt },
      });
  }

  private async findWhere(condition: ReturnType<typeof eq>): Promise<AdapterPayload | undefined> {
    const [row] = await this.db.select().from(t).where(and(eq(t.kind, this.kind), condition)).limit(1);
    if (!row) return undefined;
    const now = this.now();
    if (row.expiresAt && row.expiresAt <= now) return undefined;
    const payload = { ...(row.payload as AdapterPayload) };
    if (row.consumedAt) {
      const inGrace =
        this.kind === 'RefreshToken' &&
        !row.graceUsedAt &&
        now.getTime() - row.consumedAt.getTime() < REFRESH_GRACE_SECONDS * 1000;
      if (!inGrace) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
    }
    return payload;
  }

  async find(id: string) {
    const payload = await this.findWhere(eq(t.id, this.key(id)));
    if (payload && this.hashed) payload.jti = id;
    return payload;
  }

  findByUid(uid: string) {
    return this.findWhere(eq(t.uid, uid));
  }

  findByUserCode(userCode: string) {
    return this.findWhere(eq(t.userCode, userCode));
  }

  /** First call marks the token consumed; a second one (inside the grace window) spends the grace. */
  async consume(id: string): Promise<void> {
    // Raw SQL parameters must be strings for postgres.js (a Date is only mapped in typed columns).
    const now = sql`${this.now().toISOString()}::timestamptz`;
    await this.db
      .update(t)
      .set({
        consumedAt: sql`coalesce(${t.consumedAt}, ${now})`,
        graceUsedAt: sql`case when ${t.consumedAt} is null then ${t.graceUsedAt} else ${now} end`,
      })
      .where(and(eq(t.kind, this.kind), eq(t.id, this.key(id))));
  }

  async destroy(id: string): Promise<void> {
    await this.db.delete(t).where(and(eq(t.kind, this.kind), eq(t.id, this.key(id))));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.delete(t).where(and(eq(t.kind, this.kind), eq(t.grantId, grantId)));
  }
}

/** A constructor bound to one database, in the shape oidc-provider's `adapter` option expects. */
export function adapterFor(db: Database, now?: () => Date) {
  return class BoundAdapter extends DrizzleAdapter {
    constructor(kind: string) {
      super(kind, db, now);
    }
  };
}

/**
 * Deletes expired artifacts, and dynamically registered clients that have had no live connection
 * used in CLIENT_IDLE_DAYS (clients re-register when they need to, INTEROP "Registration").
 */
export async function purgeExpired(db: Database, now = new Date()): Promise<void> {
  await db.delete(t).where(lt(t.expiresAt, now));
  const idleSince = new Date(now.getTime() - CLIENT_IDLE_DAYS * 86_400_000);
  const idleEpoch = Math.floor(idleSince.getTime() / 1000);
  await db.execute(sql`
    delete from ${t}
    where ${t.kind} = 'Client'
      and coalesce((${t.payload}->>'client_id_issued_at')::bigint, 0) < ${idleEpoch}
      and not exists (
        select 1 from ${schema.connections} c
        where c.client_id = ${t.id}
          and c.revoked_at is null
          and coalesce(c.last_used_at, c.created_at) > ${idleSince.toISOString()}::timestamptz
      )`);
}
