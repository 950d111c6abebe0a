import { schema } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from '../accounts/index.ts';
import {
  bindEnvironment,
  createConnection,
  getConnectionByGrantId,
  listConnectionsForUser,
  revokeConnection,
  subscribeToConnectionEvents,
  type ConnectionEvent,
} from './index.ts';

const handle = await createTestDatabase();
const { db } = handle;
const events: ConnectionEvent[] = [];
const stop = await subscribeToConnectionEvents(handle, (e) => events.push(e));
afterAll(async () => {
  await stop();
  await handle.close();
});

const password = 'correct horse battery';
let n = 0;
async function userWithConnection(environment: 'development' | 'production' | null = null) {
  const account = await signUp(db, { email: `user${++n}@example.com`, password });
  const connection = await createConnection(db, {
    grantId: `grant-${n}`,
    userId: account.user.id,
    organizationId: account.organization.id,
    clientId: 'client-1',
    clientName: 'Claude Code (test)',
    clientKind: 'dcr',
    environmentId: environment ? account.environments.find((e) => e.slug === environment)!.id : null,
    scopes: ['images:read', 'images:write'],
  });
  return { ...account, connection };
}

describe('connections', () => {
  it('are listed for their user with organization and Environment names', async () => {
    const { user, connection } = await userWithConnection('development');
    const list = await listConnectionsForUser(db, { userId: user.id });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: connection.id, clientName: 'Claude Code (test)', environmentName: 'Development', scopes: ['images:read', 'images:write'] });
    expect(await getConnectionByGrantId(db, connection.grantId)).toMatchObject({ id: connection.id });
  });

  it('rebind to another Environment of the organization and announce it', async () => {
    const { user, connection, environments } = await userWithConnection();
    const production = environments.find((e) => e.slug === 'production')!;
    const rebound = await bindEnvironment(db, { userId: user.id, connectionId: connection.id, environmentId: production.id });
    expect(rebound.environmentId).toBe(production.id);
    await expect.poll(() => events).toContainEqual({ type: 'rebound', connectionId: connection.id, grantId: connection.grantId });
  });

  it("refuse an Environment of another organization, and another user's connection", async () => {
    const alice = await userWithConnection();
    const bob = await userWithConnection();
    await expect(bindEnvironment(db, { userId: alice.user.id, connectionId: alice.connection.id, environmentId: bob.environments[0]!.id })).rejects.toMatchObject({
      code: 'not_found',
      field: 'environment_id',
    });
    await expect(bindEnvironment(db, { userId: bob.user.id, connectionId: alice.connection.id, environmentId: null })).rejects.toMatchObject({ code: 'not_found' });
    await expect(revokeConnection(db, { userId: bob.user.id, connectionId: alice.connection.id })).rejects.toMatchObject({ code: 'not_found' });
    expect((await getConnectionByGrantId(db, alice.connection.grantId))!.revokedAt).toBeNull();
  });

  it("revoke: the row is marked, the grant's tokens are deleted, the change is announced, the list drops it", async () => {
    const { user, connection } = await userWithConnection('development');
    await db.insert(schema.oidcModels).values([
      { kind: 'RefreshToken', id: 'rt-1', payload: {}, grantId: connection.grantId },
      { kind: 'Grant', id: connection.grantId, payload: {}, grantId: connection.grantId },
      { kind: 'RefreshToken', id: 'rt-other', payload: {}, grantId: 'someone-else' },
    ]);
    const revoked = await revokeConnection(db, { userId: user.id, connectionId: connection.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await db.select().from(schema.oidcModels).where(eq(schema.oidcModels.grantId, connection.grantId))).toEqual([]);
    expect(await db.select().from(schema.oidcModels).where(eq(schema.oidcModels.grantId, 'someone-else'))).toHaveLength(1);
    await expect.poll(() => events).toContainEqual({ type: 'revoked', connectionId: connection.id, grantId: connection.grantId });
    expect(await listConnectionsForUser(db, { userId: user.id })).toEqual([]);
    await expect(bindEnvironment(db, { userId: user.id, connectionId: connection.id, environmentId: null })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('cannot be created for an organization the user does not belong to', async () => {
    const alice = await userWithConnection();
    const bob = await userWithConnection();
    await expect(
      createConnection(db, { ...alice.connection, grantId: 'grant-x', userId: alice.user.id, organizationId: bob.organization.id, environmentId: null }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
