import { schema } from '@frameport/db';
import { authenticateServerKey, signUp } from '@frameport/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestAuthServer } from '../testing.ts';

const auth = await startTestAuthServer();
afterAll(() => auth.close());
const { db } = auth.database;
const password = 'long enough password';

/** A dashboard browser session: cookies kept across requests, CSRF token read from the last page. */
async function logIn(email: string) {
  let cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!, value.join('='));
    }
    return res;
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  let csrf = '';
  const get = async (path: string) => {
    const res = keep(await fetch(`${auth.url}${path}`, { headers: { cookie: header() }, redirect: 'manual' }));
    const text = await res.text();
    csrf = text.match(/name="csrf" value="([^"]+)"/)?.[1] ?? csrf;
    return { status: res.status, text, location: res.headers.get('location') };
  };
  const post = async (path: string, form: Record<string, string>, withCsrf = true) => {
    const res = keep(
      await fetch(`${auth.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
        body: new URLSearchParams({ ...(withCsrf ? { csrf } : {}), ...form }).toString(),
      }),
    );
    const text = await res.text();
    csrf = text.match(/name="csrf" value="([^"]+)"/)?.[1] ?? csrf;
    return { status: res.status, text, location: res.headers.get('location') };
  };
  await get('/login');
  expect((await post('/login', { email, password })).status).toBe(303);
  return { get, post, reset: () => (cookies = new Map()) };
}

describe('Server API Keys page', () => {
  it('creates a key shown once, stores only its hash, and revokes it', async () => {
    const alice = await signUp(db, { email: 'keys-owner@example.com', password });
    const production = alice.environments.find((e) => e.slug === 'production')!;
    const browser = await logIn('keys-owner@example.com');

    const empty = await browser.get(`/dashboard/keys?environment=${production.id}`);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No active keys in Production.');

    const created = await browser.post('/dashboard/keys', { environment_id: production.id, name: 'backend <prod>' });
    expect(created.status).toBe(201);
    const key = created.text.match(/<code id="new-key">(sk_[a-z2-7]+)<\/code>/)![1]!;
    expect(created.text).toContain('backend &lt;prod&gt;');
    expect(created.text).toContain('will not be shown again');

    const rows = await db.select().from(schema.serverKeys);
    expect(rows.map((r) => r.keyHash)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(await authenticateServerKey(db, key)).toMatchObject({ environmentId: production.id, organizationId: alice.organization.id });

    const listed = await browser.get(`/dashboard/keys?environment=${production.id}`);
    expect(listed.text).toContain(`${key.slice(0, 10)}…`);
    expect(listed.text).not.toContain(key);

    const keyId = rows.find((r) => r.environmentId === production.id)!.id;
    const revoked = await browser.post(`/dashboard/keys/${keyId}/revoke`, { environment_id: production.id });
    expect(revoked.status).toBe(303);
    expect((await browser.get(revoked.location!)).text).toContain('Key revoked.');
    expect(await authenticateServerKey(db, key)).toBeNull();
  });

  it('lets a DEVELOPER see keys but not create or revoke them', async () => {
    const owner = await signUp(db, { email: 'keys-org-owner@example.com', password });
    const dev = await signUp(db, { email: 'keys-dev@example.com', password });
    await db.insert(schema.memberships).values({ organizationId: owner.organization.id, userId: dev.user.id, role: 'DEVELOPER' });
    const env = owner.environments[0]!;
    const browser = await logIn('keys-dev@example.com');
    const page = await browser.get(`/dashboard/keys?environment=${env.id}`);
    expect(page.text).toContain('Only an organization OWNER or ADMIN can create or revoke keys.');
    const refused = await browser.post('/dashboard/keys', { environment_id: env.id, name: 'sneaky' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Only an organization OWNER or ADMIN can create Server API Keys; your role is DEVELOPER.');
    expect(await db.select().from(schema.serverKeys).then((r) => r.filter((k) => k.environmentId === env.id))).toEqual([]);
  });

  it("refuses another user's Environment and a form without its CSRF token", async () => {
    const victim = await signUp(db, { email: 'keys-victim@example.com', password });
    await signUp(db, { email: 'keys-attacker@example.com', password });
    const browser = await logIn('keys-attacker@example.com');
    const foreign = await browser.post('/dashboard/keys', { environment_id: victim.environments[0]!.id, name: 'steal' });
    expect(foreign.status).toBe(404);
    expect(foreign.text).toContain('Choose one of your Environments.');
    const shown = await browser.get(`/dashboard/keys?environment=${victim.environments[0]!.id}`);
    expect(shown.text).toContain('That Environment is not one of yours');
    const noCsrf = await browser.post('/dashboard/keys', { environment_id: victim.environments[0]!.id, name: 'x' }, false);
    expect(noCsrf.status).toBe(403);
    expect(await db.select().from(schema.serverKeys).then((r) => r.filter((k) => k.organizationId === victim.organization.id))).toEqual([]);
  });

  it('sends a visitor without a session to log in', async () => {
    const res = await fetch(`${auth.url}/dashboard/keys`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login');
  });
});
