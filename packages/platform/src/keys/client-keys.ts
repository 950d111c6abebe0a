import { schema, type Database } from '@frameport/db';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { EnvironmentScope } from '../scope.ts';

export const CLIENT_KEY_MIN_UPLOAD_BYTES = 5 * 1024;
export const CLIENT_KEY_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const CLIENT_KEY_DEFAULT_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface ClientKey {
  /** The publishable key itself (`ck_…`): meant to be embedded in front-end code. */
  id: string;
  organizationId: string;
  environmentId: string;
  name: string;
  allowedOrigins: string[];
  maximumUploadBytes: number;
  createdAt: string;
  revokedAt: string | null;
}

const toClientKey = (row: typeof schema.clientKeys.$inferSelect): ClientKey => ({
  id: row.id,
  organizationId: row.organizationId,
  environmentId: row.environmentId,
  name: row.name,
  allowedOrigins: row.allowedOrigins,
  maximumUploadBytes: row.maximumUploadBytes,
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

const origin = z.string().refine(
  (value) => {
    try {
      const u = new URL(value);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value;
    } catch {
      return false;
    }
  },
  { message: 'each origin must be scheme://host[:port], like https://app.example.com' },
);

export const createClientKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  allowedOrigins: z.array(origin).max(20).default([]),
  maximumUploadBytes: z.number().int().min(CLIENT_KEY_MIN_UPLOAD_BYTES).max(CLIENT_KEY_MAX_UPLOAD_BYTES).default(CLIENT_KEY_DEFAULT_UPLOAD_BYTES),
});
export type CreateClientKeyInput = z.input<typeof createClientKeyInput>;

/** Creates a publishable Client Key for one Environment. */
export async function createClientKey(db: Database, scope: EnvironmentScope, input: CreateClientKeyInput, createdBy?: string): Promise<ClientKey> {
  const parsed = createClientKeyInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'input');
    throw new PlatformError('invalid_input', `${field}: ${issue.message}`, { field });
  }
  const [env] = await db
    .select({ id: schema.environments.id })
    .from(schema.environments)
    .where(and(eq(schema.environments.id, scope.environmentId), eq(schema.environments.organizationId, scope.organizationId)));
  if (!env) throw new PlatformError('not_found', `No Environment ${scope.environmentId} in this organization.`);
  const [row] = await db
    .insert(schema.clientKeys)
    .values({ id: newId('ck'), organizationId: scope.organizationId, environmentId: scope.environmentId, ...parsed.data, createdBy: createdBy ?? null })
    .returning();
  return toClientKey(row!);
}

export async function listClientKeys(db: Database, scope: EnvironmentScope): Promise<ClientKey[]> {
  const rows = await db
    .select()
    .from(schema.clientKeys)
    .where(and(eq(schema.clientKeys.organizationId, scope.organizationId), eq(schema.clientKeys.environmentId, scope.environmentId)))
    .orderBy(desc(schema.clientKeys.createdAt));
  return rows.map(toClientKey);
}

export async function revokeClientKey(db: Database, scope: EnvironmentScope, keyId: string): Promise<ClientKey> {
  const [row] = await db
    .update(schema.clientKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(schema.clientKeys.id, keyId),
        eq(schema.clientKeys.organizationId, scope.organizationId),
        eq(schema.clientKeys.environmentId, scope.environmentId),
        isNull(schema.clientKeys.revokedAt),
      ),
    )
    .returning();
  if (!row) throw new PlatformError('not_found', `No active Client Key ${keyId} in this Environment.`);
  return toClientKey(row);
}

/** The active Client Key for a presented `ck_…`, or null. */
export async function findClientKey(db: Database, key: string): Promise<ClientKey | null> {
  if (!key.startsWith('ck_') || key.length > 100) return null;
  const [row] = await db
    .select()
    .from(schema.clientKeys)
    .where(and(eq(schema.clientKeys.id, key), isNull(schema.clientKeys.revokedAt)));
  return row ? toClientKey(row) : null;
}

/** Whether a browser `Origin` may use the key. A key with no origins listed serves non-browser callers only. */
export function clientKeyAllowsOrigin(key: ClientKey, origin: string | undefined): boolean {
  if (!origin) return true;
  return key.allowedOrigins.includes(origin);
}
