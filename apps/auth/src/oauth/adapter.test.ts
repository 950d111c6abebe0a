import { schema } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { signUp, createConnection } from '@frameport/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleAdapter, purgeExpired } from './adapter.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

function clock(start = Date.now()) {
  let now = start;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

describe('oidc_models adapter', () => {
  it('stores, finds by id and uid, hides expired rows and destroys', async () => {
    const c = clock();
    const sessions = new DrizzleAdapter('Session', database.db, c.now);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'a' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    c.advance(61);
    expect(await sessions.find('s1')).toBeUndefined();
    await sessions.destroy('s1');
    expect(await new DrizzleAdapter('Session', database.db).find('s1')).toBeUndefined();
  });

  it('stores refresh tokens and codes only as a hash, and gives the token back its jti on find', async () => {
    const tokens = new DrizzleAdapter('RefreshToken', database.db);
    const value = 'rt-secret-value-that-must-not-be-stored';
    await tokens.upsert(value, { jti: value, grantId: 'g-hash', kind: 'RefreshToken' }, 3600);
    const rows = await database.db.select().from(schema.oidcModels);
    expect(JSON.stringify(rows)).not.toContain(value);
    expect(rows.find((r) => r.grantId === 'g-hash')!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(await tokens.find(value)).toMatchObject({ jti: value, grantId: 'g-hash' });
    expect(await tokens.find('rt-some-other-value')).toBeUndefined();
    await tokens.destroy(value);
    expect(await tokens.find(value)).toBeUndefined();
    // Kinds found by uid keep their id: a Session comes back from findByUid with its jti.
    const sessions = new DrizzleAdapter('Session', database.db);
    await sessions.upsert('sess-1', { jti: 'sess-1', uid: 'uid-1' }, 60);
    expect(await sessions.findByUid('uid-1')).toMatchObject({ jti: 'sess-1' });
  });

  it('lets a rotated refresh token work once more inside 30 s, and never after', async () => {
    const c = clock();
    const tokens = new DrizzleAdapter('RefreshToken', database.db, c.now);
    await tokens.upsert('rt1', { grantId: 'g1' }, 3600);
    await tokens.consume('rt1');
    expect((await tokens.find('rt1'))?.consumed).toBeUndefined();
    await tokens.consume('rt1'); // the parallel refresh spends the grace
    expect((await tokens.find('rt1'))?.consumed).toEqual(expect.any(Number));

    await tokens.upsert('rt2', { grantId: 'g1' }, 3600);
    await tokens.consume('rt2');
    c.advance(31);
    expect((await tokens.find('rt2'))?.consumed).toEqual(expect.any(Number));
  });

  it('gives no grace to other consumable models (authorization codes are one-time)', async () => {
    const codes = new DrizzleAdapter('AuthorizationCode', database.db);
    await codes.upsert('c1', { grantId: 'g2' }, 60);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
  });

  it('revokes every artifact of a grant, the Grant row included', async () => {
    const grants = new DrizzleAdapter('Grant', database.db);
    const tokens = new DrizzleAdapter('RefreshToken', database.db);
    await grants.upsert('g3', { accountId: 'a' }, 3600);
    await tokens.upsert('rt3', { grantId: 'g3' }, 3600);
    await tokens.revokeByGrantId('g3');
    await grants.destroy('g3');
    expect(await tokens.find('rt3')).toBeUndefined();
    expect(await grants.find('g3')).toBeUndefined();
  });

  it('purges expired rows and registered clients idle for 30 days', async () => {
    const { user, organization } = await signUp(database.db, { email: 'purge@example.com', password: 'long enough password' });
    const old = Math.floor(Date.now() / 1000) - 40 * 86_400;
    const clients = new DrizzleAdapter('Client', database.db);
    await clients.upsert('idle', { client_id: 'idle', client_id_issued_at: old }, 0);
    await clients.upsert('in-use', { client_id: 'in-use', client_id_issued_at: old }, 0);
    await clients.upsert('new', { client_id: 'new', client_id_issued_at: Math.floor(Date.now() / 1000) }, 0);
    await createConnection(database.db, {
      grantId: 'g-in-use',
      userId: user.id,
      organizationId: organization.id,
      clientId: 'in-use',
      clientName: 'In use',
      clientKind: 'dcr',
      environmentId: null,
      scopes: ['images:read'],
    });
    const expired = new DrizzleAdapter('Interaction', database.db, () => new Date(Date.now() - 7200_000));
    await expired.upsert('old-interaction', { uid: 'x' }, 60);
    await purgeExpired(database.db);
    const left = (await database.db.select({ kind: schema.oidcModels.kind, id: schema.oidcModels.id }).from(schema.oidcModels)).map((r) => r.id);
    expect(left).not.toContain('idle');
    expect(left).not.toContain('old-interaction');
    expect(left).toEqual(expect.arrayContaining(['in-use', 'new']));
  });
});
