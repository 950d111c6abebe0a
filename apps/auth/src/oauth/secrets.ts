import { randomBytes, randomUUID } from 'node:crypto';
import { schema, type Database } from '@frameport/db';
import { eq } from 'drizzle-orm';
import { exportJWK, generateKeyPair } from 'jose';

export interface AuthSecrets {
  /** Private JWKs (ES256); the first one signs. */
  signingKeys: Record<string, unknown>[];
  /** Cookie-signing secrets; the first one signs, the others still verify. */
  cookieKeys: string[];
}

/**
 * Generates a value once per deployment: the first instance to insert wins (ON CONFLICT DO
 * NOTHING) and every instance then reads the stored value, so parallel first starts agree.
 */
async function getOrCreate<T>(db: Database, name: string, create: () => Promise<T>): Promise<T> {
  const read = async () => (await db.select().from(schema.authSecrets).where(eq(schema.authSecrets.name, name)))[0];
  const existing = await read();
  if (existing) return existing.value as T;
  await db.insert(schema.authSecrets).values({ name, value: await create() }).onConflictDoNothing();
  return (await read())!.value as T;
}

async function newSigningKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

/**
 * Keys from config when given; otherwise the ones generated on first start and kept in the
 * database (never oidc-provider's built-in development keys).
 */
export async function loadAuthSecrets(
  db: Database,
  configured: { signingKeys: Record<string, unknown>[] | undefined; cookieKeys: string[] | undefined },
): Promise<AuthSecrets> {
  const signingKeys =
    configured.signingKeys?.map((k) => ({ alg: 'ES256', use: 'sig', ...k })) ??
    (await getOrCreate(db, 'signing_keys', async () => [await newSigningKey()]));
  const cookieKeys =
    configured.cookieKeys ?? (await getOrCreate(db, 'cookie_keys', async () => [randomBytes(32).toString('base64url')]));
  return { signingKeys, cookieKeys };
}
