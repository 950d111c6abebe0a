import { createHash, randomBytes } from 'node:crypto';
import { schema, type Database } from '@frameport/db';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { requireMembership, requireRole } from '../accounts/organizations.ts';
import { PlatformError } from '../errors.ts';
import { base32, newId } from '../ids.ts';
import type { EnvironmentScope, UserScope } from '../scope.ts';

export const KEY_ADMIN_ROLES = ['OWNER', 'ADMIN'] as const;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface ServerKey {
  id: string;
  organizationId: string;
  environmentId: string;
  name: string;
  /** The first characters of the key, to tell keys apart; the key itself is never stored. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function toServerKey(row: typeof schema.serverKeys.$inferSelect): ServerKey {
  return {
    id: row.id,
    organizationId: row.organizationId,
    environmentId: row.environmentId,
    name: row.name,
    prefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

async function requireEnvironment(db: Database, scope: EnvironmentScope): Promise<void> {
  const [env] = await db
    .select({ id: schema.environments.id })
    .from(schema.environments)
    .where(and(eq(schema.environments.id, scope.environmentId), eq(schema.environments.organizationId, scope.organizationId)));
  if (!env) throw new PlatformError('not_found', `No Environment ${scope.environmentId} in this organization.`);
}

/**
 * Dashboard only: creates a Server API Key (`sk_…`) for one Environment and returns it once.
 * Only its SHA-256 is stored (a 256-bit random key needs no slow hash). Never reachable from MCP
 * tools: an agent must not be able to mint credentials for itself.
 */
export async function createServerKeyForDashboard(
  db: Database,
  scope: UserScope & EnvironmentScope,
  input: { name: string },
): Promise<{ key: string; serverKey: ServerKey }> {
  const name = z.string().trim().min(1).max(100).safeParse(input.name);
  if (!name.success) throw new PlatformError('invalid_input', 'name: give the key a name of 1 to 100 characters.', { field: 'name' });
  // A secret key acts for the whole Environment, so minting one is an administrator's decision.
  await requireRole(db, scope, KEY_ADMIN_ROLES, 'create Server API Keys');
  await requireEnvironment(db, scope);
  const key = `sk_${base32(randomBytes(32))}`;
  const [row] = await db
    .insert(schema.serverKeys)
    .values({
      id: newId('skid'),
      organizationId: scope.organizationId,
      environmentId: scope.environmentId,
      name: name.data,
      keyHash: hashKey(key),
      keyPrefix: key.slice(0, 10),
      createdByUserId: scope.userId,
    })
    .returning();
  return { key, serverKey: toServerKey(row!) };
}

/** Dashboard only: revokes a key; its next request is refused. */
export async function revokeServerKeyForDashboard(db: Database, scope: UserScope & EnvironmentScope, keyId: string): Promise<ServerKey> {
  await requireRole(db, scope, KEY_ADMIN_ROLES, 'revoke Server API Keys');
  const [row] = await db
    .update(schema.serverKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(schema.serverKeys.id, keyId),
        eq(schema.serverKeys.organizationId, scope.organizationId),
        eq(schema.serverKeys.environmentId, scope.environmentId),
        isNull(schema.serverKeys.revokedAt),
      ),
    )
    .returning();
  if (!row) throw new PlatformError('not_found', `No active key ${keyId} in this Environment.`);
  return toServerKey(row);
}

/** Dashboard listing (never the key itself). */
export async function listServerKeysForDashboard(db: Database, scope: UserScope & EnvironmentScope): Promise<ServerKey[]> {
  await requireMembership(db, scope);
  const rows = await db
    .select()
    .from(schema.serverKeys)
    .where(and(eq(schema.serverKeys.organizationId, scope.organizationId), eq(schema.serverKeys.environmentId, scope.environmentId)))
    .orderBy(desc(schema.serverKeys.createdAt));
  return rows.map(toServerKey);
}

/** The Environment a presented `sk_…` key belongs to, or null when unknown or revoked. */
export async function authenticateServerKey(db: Database, key: string): Promise<(EnvironmentScope & { keyId: string }) | null> {
  if (!key.startsWith('sk_') || key.length > 200) return null;
  const [row] = await db
    .select()
    .from(schema.serverKeys)
    .where(and(eq(schema.serverKeys.keyHash, hashKey(key)), isNull(schema.serverKeys.revokedAt)));
  if (!row) return null;
  // Coarse last-used stamp: at most one write a minute per key.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(schema.serverKeys).set({ lastUsedAt: new Date() }).where(eq(schema.serverKeys.id, row.id));
  }
  return { organizationId: row.organizationId, environmentId: row.environmentId, keyId: row.id };
}
