import { schema } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { count } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../errors.ts';
import { getEnvironment, listEnvironments, listOrganizationsForUser, logIn, setPassword, signUp } from './index.ts';

const handle = await createTestDatabase();
const { db } = handle;
afterAll(() => handle.close());

const password = 'correct horse battery';

async function rowCounts() {
  const [users] = await db.select({ n: count() }).from(schema.users);
  const [orgs] = await db.select({ n: count() }).from(schema.organizations);
  const [envs] = await db.select({ n: count() }).from(schema.environments);
  const [members] = await db.select({ n: count() }).from(schema.memberships);
  return { users: users!.n, orgs: orgs!.n, envs: envs!.n, members: members!.n };
}

async function expectPlatformError(promise: Promise<unknown>, code: string, message: RegExp, field?: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  expect((error as PlatformError).code).toBe(code);
  expect((error as PlatformError).message).toMatch(message);
  if (field) expect((error as PlatformError).field).toBe(field);
}

describe('sign-up', () => {
  it('creates the user, an organization they own, and its development and production Environments', async () => {
    const result = await signUp(db, { email: 'ada@example.com', password, name: 'Ada' });
    expect(result.user).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(result.user.id).toMatch(/^usr_[a-z2-7]{24}$/);
    expect(result.environments.map((e) => e.slug)).toEqual(['development', 'production']);

    const orgs = await listOrganizationsForUser(db, { userId: result.user.id });
    expect(orgs).toEqual([{ organization: { id: result.organization.id, name: "Ada's organization", plan: 'default' }, role: 'OWNER' }]);
    const envs = await listEnvironments(db, { userId: result.user.id, organizationId: result.organization.id });
    expect(envs.map((e) => e.name)).toEqual(['Development', 'Production']);
  });

  it('refuses an existing email, whatever its case, and writes nothing', async () => {
    await signUp(db, { email: 'grace@example.com', password });
    const before = await rowCounts();
    await expectPlatformError(signUp(db, { email: ' GRACE@example.com ', password }), 'conflict', /already exists/, 'email');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses two simultaneous sign-ups with one email, keeping exactly one account', async () => {
    const before = await rowCounts();
    const results = await Promise.allSettled([
      signUp(db, { email: 'race@example.com', password }),
      signUp(db, { email: 'Race@example.com', password }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'conflict' });
    const after = await rowCounts();
    expect(after).toEqual({ users: before.users + 1, orgs: before.orgs + 1, envs: before.envs + 2, members: before.members + 1 });
  });

  it('names the problem with an invalid email or a short password', async () => {
    const before = await rowCounts();
    await expectPlatformError(signUp(db, { email: 'not-an-email', password }), 'invalid_input', /valid email/, 'email');
    await expectPlatformError(signUp(db, { email: 'short@example.com', password: 'elevenchars' }), 'invalid_input', /at least 12 characters/, 'password');
    expect(await rowCounts()).toEqual(before);
  });

  it('stores an argon2id hash, never the password', async () => {
    const { user } = await signUp(db, { email: 'hash@example.com', password });
    const rows = await db.select().from(schema.users);
    const row = rows.find((r) => r.id === user.id)!;
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
  });
});

describe('log-in', () => {
  it('accepts the right password and refuses a wrong one or an unknown email with the same message', async () => {
    const { user } = await signUp(db, { email: 'login@example.com', password });
    await expect(logIn(db, { email: 'LOGIN@example.com', password })).resolves.toMatchObject({ id: user.id });
    await expectPlatformError(logIn(db, { email: 'login@example.com', password: 'wrong password!' }), 'unauthenticated', /email or password is incorrect/);
    await expectPlatformError(logIn(db, { email: 'nobody@example.com', password }), 'unauthenticated', /email or password is incorrect/);
  });

  it('uses a new password once it is set', async () => {
    const { user } = await signUp(db, { email: 'reset@example.com', password });
    await setPassword(db, user.id, 'another long password');
    await expectPlatformError(logIn(db, { email: 'reset@example.com', password }), 'unauthenticated', /incorrect/);
    await expect(logIn(db, { email: 'reset@example.com', password: 'another long password' })).resolves.toMatchObject({ id: user.id });
  });
});

describe('organization scoping', () => {
  it("does not show one user another organization's Environments", async () => {
    const alice = await signUp(db, { email: 'alice@example.com', password });
    const bob = await signUp(db, { email: 'bob@example.com', password });
    await expectPlatformError(listEnvironments(db, { userId: bob.user.id, organizationId: alice.organization.id }), 'not_found', /No such organization/);
    await expectPlatformError(
      getEnvironment(db, { userId: bob.user.id, organizationId: alice.organization.id, environmentId: alice.environments[0]!.id }),
      'not_found',
      /No such organization/,
    );
    // Bob's own organization with Alice's Environment id: still not found.
    await expectPlatformError(
      getEnvironment(db, { userId: bob.user.id, organizationId: bob.organization.id, environmentId: alice.environments[0]!.id }),
      'not_found',
      /No Environment/,
    );
    expect((await listOrganizationsForUser(db, { userId: bob.user.id })).map((o) => o.organization.id)).toEqual([bob.organization.id]);
  });
});
