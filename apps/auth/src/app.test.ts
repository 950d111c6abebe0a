import { schema } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { signUp } from '@frameport/platform';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataUrlAllowed } from './oauth/provider.ts';
import { startTestAuthServer, type TestAuthServer } from './testing.ts';

let auth: TestAuthServer;
beforeAll(async () => {
  auth = await startTestAuthServer();
});
afterAll(async () => {
  await auth?.close();
});

const jwks = async (url: string) => ((await (await fetch(`${url}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys;

describe('the auth app', () => {
  it('answers /healthz', async () => {
    const response = await fetch(`${auth.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('generates its signing keys once and reuses them on the next start', async () => {
    const database = await createTestDatabase();
    try {
      const first = await startTestAuthServer({ database });
      const keys = await jwks(first.url);
      await first.close();
      const second = await startTestAuthServer({ database });
      expect(await jwks(second.url)).toEqual(keys);
      await second.close();
    } finally {
      await database.close();
    }
  });

  it('signs with the keys from config when they are given, and stores none', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'configured-key' };
    const configured = await startTestAuthServer({
      env: { AUTH_SIGNING_KEYS: JSON.stringify({ keys: [jwk] }), AUTH_COOKIE_KEYS: 'k'.repeat(40) },
    });
    try {
      expect((await jwks(configured.url)).map((k) => k.kid)).toEqual(['configured-key']);
      expect(await configured.database.db.select().from(schema.authSecrets)).toEqual([]);
    } finally {
      await configured.close();
    }
  });

  it('stores only a hash of the dashboard session cookie', async () => {
    const who = { email: 'hash@example.com', password: 'long enough password' };
    await signUp(auth.database.db, who);
    const page = await fetch(`${auth.url}/login`);
    const csrfCookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
    const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)![1]!;
    const response = await fetch(`${auth.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: new URLSearchParams({ csrf, ...who }).toString(),
    });
    expect(response.status).toBe(303);
    const session = response.headers.getSetCookie().find((c) => c.startsWith('fp_session='))!.split(';')[0]!.split('=')[1]!;
    const rows = await auth.database.db.select().from(schema.dashboardSessions);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.idHash === session)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.idHash))).toBe(true);
  });

  it('refuses a log-in form without its CSRF token', async () => {
    const response = await fetch(`${auth.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'hash@example.com', password: 'long enough password' }).toString(),
    });
    expect(response.status).toBe(403);
  });

  it('rate limits client registration per address', async () => {
    const limited = await startTestAuthServer({ env: { AUTH_REGISTRATION_RATE_LIMIT: '2' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${limited.url}/oauth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('shows a client-chosen name escaped on its pages', async () => {
    const registered = (await (
      await fetch(`${auth.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: '<img src=x onerror=alert(1)>', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }),
      })
    ).json()) as { client_id: string };
    const url = new URL(`${auth.url}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: registered.client_id,
      redirect_uri: 'http://127.0.0.1:5000/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const start = await fetch(url, { redirect: 'manual' });
    const cookies = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const page = await (await fetch(new URL(start.headers.get('location')!, auth.url), { headers: { cookie: cookies } })).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
  });

  it('refuses a metadata document client_id on a private address before fetching it', async () => {
    const url = new URL(`${auth.url}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'https://127.0.0.1/client.json',
      redirect_uri: 'http://127.0.0.1:5000/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('invalid_client');
  });
});

describe('metadata document fetch policy', () => {
  it('allows public https hosts only', () => {
    expect(metadataUrlAllowed('https://claude.ai/oauth/claude-code-client-metadata')).toBe(true);
    for (const url of [
      'http://claude.ai/meta.json',
      'https://localhost/meta.json',
      'https://10.0.0.5/meta.json',
      'https://192.168.1.1/meta.json',
      'https://169.254.169.254/latest',
      'https://[::1]/meta.json',
      'https://[fd00::1]/meta.json',
      'https://printer.local/meta.json',
    ]) {
      expect(metadataUrlAllowed(url), url).toBe(false);
    }
  });
});
