import { schema, type Database } from '@frameport/db';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { UserScope } from '../scope.ts';
import { CONNECTIONS_CHANNEL, type ConnectionEvent } from './events.ts';

export type ClientKind = (typeof schema.clientKind.enumValues)[number];

export interface Connection {
  id: string;
  grantId: string;
  userId: string;
  organizationId: string;
  clientId: string;
  clientName: string;
  clientKind: ClientKind;
  environmentId: string | null;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreateConnectionInput {
  grantId: string;
  userId: string;
  organizationId: string;
  clientId: string;
  clientName: string;
  clientKind: ClientKind;
  environmentId: string | null;
  scopes: string[];
}

/** Published inside the transaction, so listeners hear of a change only once it is committed. */
async function publish(tx: Pick<Database, 'execute'>, event: ConnectionEvent): Promise<void> {
  await tx.execute(sql`select pg_notify(${CONNECTIONS_CHANNEL}, ${JSON.stringify(event)})`);
}

async function checkEnvironmentInOrganization(db: Database, organizationId: string, environmentId: string) {
  const [env] = await db
    .select({ id: schema.environments.id })
    .from(schema.environments)
    .where(and(eq(schema.environments.id, environmentId), eq(schema.environments.organizationId, organizationId)));
  if (!env) throw new PlatformError('not_found', `No Environment ${environmentId} in this organization.`, { field: 'environment_id' });
}

/** One row per grant (one grant per authorization): a second consent is a second connection. */
export async function createConnection(db: Database, input: CreateConnectionInput): Promise<Connection> {
  const [membership] = await db
    .select({ role: schema.memberships.role })
    .from(schema.memberships)
    .where(and(eq(schema.memberships.userId, input.userId), eq(schema.memberships.organizationId, input.organizationId)));
  if (!membership) throw new PlatformError('forbidden', 'You are not a member of that organization.');
  if (input.environmentId) await checkEnvironmentInOrganization(db, input.organizationId, input.environmentId);
  const [row] = await db
    .insert(schema.connections)
    .values({ id: newId('con'), ...input })
    .returning();
  return row!;
}

/**
 * The connection behind an access token's grant id. Global by design: the caller holds a verified
 * token naming the grant, and the row it gets back carries the scope (user, organization) to use.
 */
export async function getConnectionByGrantId(db: Database, grantId: string): Promise<Connection | null> {
  const [row] = await db.select().from(schema.connections).where(eq(schema.connections.grantId, grantId));
  return row ?? null;
}

export async function getConnectionForUser(db: Database, scope: UserScope & { connectionId: string }): Promise<Connection> {
  const [row] = await db
    .select()
    .from(schema.connections)
    .where(and(eq(schema.connections.id, scope.connectionId), eq(schema.connections.userId, scope.userId)));
  // Another user's connection is reported exactly like a missing one.
  if (!row) throw new PlatformError('not_found', 'No such connection.');
  return row;
}

export interface ConnectionListing extends Connection {
  organizationName: string;
  environmentName: string | null;
}

/** The user's live (unrevoked) connections, newest first: the Authorized Connections page. */
export async function listConnectionsForUser(db: Database, scope: UserScope): Promise<ConnectionListing[]> {
  const rows = await db
    .select({
      connection: schema.connections,
      organizationName: schema.organizations.name,
      environmentName: schema.environments.name,
    })
    .from(schema.connections)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.connections.organizationId))
    .leftJoin(schema.environments, eq(schema.environments.id, schema.connections.environmentId))
    .where(and(eq(schema.connections.userId, scope.userId), isNull(schema.connections.revokedAt)))
    .orderBy(desc(schema.connections.createdAt), desc(schema.connections.id));
  return rows.map((r) => ({ ...r.connection, organizationName: r.organizationName, environmentName: r.environmentName }));
}

/**
 * Links (or, with null, unlinks) the connection's Environment. The user must own the connection
 * and the Environment must belong to the connection's organization. Applies to the next tool call.
 */
export async function bindEnvironment(
  db: Database,
  scope: UserScope & { connectionId: string; environmentId: string | null },
): Promise<Connection> {
  const connection = await getConnectionForUser(db, scope);
  if (connection.revokedAt) throw new PlatformError('conflict', 'This connection has been revoked.');
  if (scope.environmentId) await checkEnvironmentInOrganization(db, connection.organizationId, scope.environmentId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(schema.connections)
      .set({ environmentId: scope.environmentId })
      .where(eq(schema.connections.id, connection.id))
      .returning();
    await publish(tx, { type: 'rebound', connectionId: connection.id, grantId: connection.grantId });
    return row!;
  });
}

/**
 * Marks the connection revoked and deletes every token and artifact of its grant in the same
 * transaction (oidc_models rows by grant id), so the next refresh gets invalid_grant and the
 * resource server, told through the change event, refuses the next call.
 */
export async function revokeConnection(db: Database, scope: UserScope & { connectionId: string }): Promise<Connection> {
  const connection = await getConnectionForUser(db, scope);
  if (connection.revokedAt) return connection;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(schema.connections)
      .set({ revokedAt: new Date() })
      .where(eq(schema.connections.id, connection.id))
      .returning();
    await tx.delete(schema.oidcModels).where(eq(schema.oidcModels.grantId, connection.grantId));
    await publish(tx, { type: 'revoked', connectionId: connection.id, grantId: connection.grantId });
    return row!;
  });
}

/** Records use for the dashboard's "last used" column; callers throttle it. */
export async function touchConnection(db: Database, connectionId: string, at = new Date()): Promise<void> {
  await db.update(schema.connections).set({ lastUsedAt: at }).where(eq(schema.connections.id, connectionId));
}

/**
 * Marks the grant's connection revoked when the authorization server itself revoked the grant
 * (refresh-token replay, RFC 7009 revocation of a refresh token), deletes what is left of the
 * grant's artifacts, and publishes the change. Keyed by grant id like getConnectionByGrantId: the
 * caller is the authorization server acting on a grant it owns. Null when no connection has it.
 */
export async function revokeConnectionByGrantId(db: Database, grantId: string): Promise<Connection | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(schema.connections)
      .set({ revokedAt: new Date() })
      .where(and(eq(schema.connections.grantId, grantId), isNull(schema.connections.revokedAt)))
      .returning();
    await tx.delete(schema.oidcModels).where(eq(schema.oidcModels.grantId, grantId));
    if (!row) return null;
    await publish(tx, { type: 'revoked', connectionId: row.id, grantId });
    return row;
  });
}

/** "Last used" for the connection of a grant that just obtained tokens; callers throttle it. */
export async function touchConnectionByGrantId(db: Database, grantId: string, at = new Date()): Promise<void> {
  await db
    .update(schema.connections)
    .set({ lastUsedAt: at })
    .where(and(eq(schema.connections.grantId, grantId), isNull(schema.connections.revokedAt)));
}
