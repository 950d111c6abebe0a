import { startTestAuthServer, type TestAuthServer } from '@frameport/auth/testing';
import { schema } from '@frameport/db';
import { getConnectionByGrantId, signUp, subscribeToConnectionEvents, type ConnectionEvent } from '@frameport/platform';
import { and, eq, sql } from 'drizzle-orm';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAuthorization, CookieJar, formField, pkce } from './auth-flow-driver.ts';

let auth: TestAuthServer;
const person = { email: 'ada@example.com', password: 'correct horse battery staple' };

beforeAll(async () => {
  auth = await startTestAuthServer();
  await signUp(auth.database.db, person);
});
afterAll(async () => {
  await auth?.close();
});

async function register(body: Record<string, unknown>) {
  const response = await fetch(`${auth.url}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const REDIRECT = 'http://127.0.0.1:53123/callback';

async function nativeClient(extra: Record<string, unknown> = {}) {
  const { status, json } = await register({
    client_name: 'Test Agent',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    ...extra,
  });
  expect(status).toBe(201);
  return json.client_id as string;
}

function authorizeUrl(clientId: string, challenge: string, params: [string, string][] = []) {
  const url = new URL(`${auth.url}/oauth/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', 'st-123');
  for (const [k, v] of params) url.searchParams.append(k, v);
  return url;
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope?: string;
  error?: string;
}

async function token(fields: [string, string][]) {
  const response = await fetch(`${auth.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as TokenResponse };
}

/** Runs a whole authorization for a fresh native client and returns its tokens. */
async function authorize(params: [string, string][] = [['resource', auth.resource], ['scope', 'images:read images:write offline_access']], choice = {}) {
  const clientId = await nativeClient();
  const { verifier, challenge } = pkce();
  const { callback } = await completeAuthorization(authorizeUrl(clientId, challenge, params), auth.url, person, { environment: 'first', ...choice });
  const code = callback.searchParams.get('code');
  expect(callback.searchParams.get('error'), callback.toString()).toBeNull();
  const exchanged = await token([
    ['grant_type', 'authorization_code'],
    ['code', code!],
    ['redirect_uri', REDIRECT],
    ['client_id', clientId],
    ['code_verifier', verifier],
  ]);
  return { clientId, callback, ...exchanged };
}

describe('discovery (RFC 8414, OpenID Discovery)', () => {
  it('serves both metadata documents at the root with what MCP clients require', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const response = await fetch(`${auth.url}${path}`, { headers: { origin: 'https://inspector.example' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
      const meta = (await response.json()) as Record<string, unknown>;
      expect(meta.issuer).toBe(auth.url);
      expect(meta.code_challenge_methods_supported).toEqual(['S256']);
      expect(meta.authorization_response_iss_parameter_supported).toBe(true);
      expect(meta.client_id_metadata_document_supported).toBe(true);
      expect(meta.registration_endpoint).toBe(`${auth.url}/oauth/register`);
      expect(meta.authorization_endpoint).toBe(`${auth.url}/oauth/authorize`);
      expect(meta.token_endpoint).toBe(`${auth.url}/oauth/token`);
      expect(meta.revocation_endpoint).toBe(`${auth.url}/oauth/revoke`);
      expect(meta.scopes_supported).toEqual(expect.arrayContaining(['images:read', 'images:write', 'offline_access']));
      expect(meta.token_endpoint_auth_methods_supported).toContain('none');
    }
  });

  it('publishes only ES256 keys of its own in the JWKS', async () => {
    const jwks = (await (await fetch(`${auth.url}/oauth/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
  });
});

describe('dynamic client registration (RFC 7591) with the bodies real clients send', () => {
  const bodies: Record<string, Record<string, unknown>> = {
    'Claude Code': {
      client_name: 'Claude Code (frameport)',
      redirect_uris: ['http://localhost:54321/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      scope: 'images:read images:write offline_access',
    },
    Codex: {
      client_name: 'Codex',
      redirect_uris: ['http://127.0.0.1:41234/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    },
    'VS Code': {
      client_name: 'Visual Studio Code',
      redirect_uris: ['https://insiders.vscode.dev/redirect', 'https://vscode.dev/redirect', 'http://127.0.0.1/', 'http://127.0.0.1:33418/'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      client_uri: 'https://code.visualstudio.com',
    },
    Cursor: {
      client_name: 'Cursor',
      redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'https://www.cursor.com/agents/mcp/oauth/callback', 'http://localhost:8787/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    'mcp-remote': {
      client_name: 'MCP CLI Proxy',
      redirect_uris: ['http://localhost:3334/oauth/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      client_uri: 'https://github.com/modelcontextprotocol/mcp-cli',
      software_id: '2e6dc280-f3c3-4e01-99a7-8181dbd1d23d',
      software_version: '0.15.1',
    },
  };

  for (const [name, body] of Object.entries(bodies)) {
    it(`accepts ${name}'s registration`, async () => {
      const { status, json } = await register(body);
      expect(status, JSON.stringify(json)).toBe(201);
      expect(json.client_id).toEqual(expect.any(String));
      expect(json.redirect_uris).toEqual(body.redirect_uris);
      expect(json.token_endpoint_auth_method).toBe('none');
    });
  }

  it('treats a client without application_type whose redirects are loopback or private-use as native', async () => {
    const { json } = await register(bodies.Cursor!);
    expect(json.application_type).toBe('native');
  });

  it('keeps software_id and software_version', async () => {
    const { json } = await register(bodies['mcp-remote']!);
    expect(json.software_id).toBe('2e6dc280-f3c3-4e01-99a7-8181dbd1d23d');
    expect(json.software_version).toBe('0.15.1');
  });

  it('refuses a javascript: redirect', async () => {
    const { status, json } = await register({ ...bodies.Codex, redirect_uris: ['javascript:alert(1)'] });
    expect(status).toBe(400);
    expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain(json.error);
  });

  it('refuses a non-loopback http: redirect for a web client', async () => {
    const { status, json } = await register({
      client_name: 'Web',
      application_type: 'web',
      redirect_uris: ['http://app.example.com/callback'],
      token_endpoint_auth_method: 'none',
    });
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_redirect_uri');
  });

  it('refuses 50 redirect URIs', async () => {
    const redirect_uris = Array.from({ length: 50 }, (_, i) => `http://127.0.0.1:${40000 + i}/callback`);
    const { status, json } = await register({ ...bodies.Codex, redirect_uris });
    expect(status).toBe(400);
    expect(['invalid_redirect_uri', 'invalid_client_metadata']).toContain(json.error);
  });

  it('answers browser preflights on the registration endpoint', async () => {
    const response = await fetch(`${auth.url}/oauth/register`, {
      method: 'OPTIONS',
      headers: { origin: 'https://inspector.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('authorization code flow with PKCE and resource indicators', () => {
  it('issues an ES256 at+jwt for the MCP resource with scope, client_id and grant id, and a connection row', async () => {
    const { clientId, callback, status, json, headers } = await authorize();
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toContain('no-store');
    expect(callback.searchParams.get('iss')).toBe(auth.url);
    expect(callback.searchParams.get('state')).toBe('st-123');
    expect(json.refresh_token).toEqual(expect.any(String));
    expect(json.expires_in).toBeGreaterThan(3000);
    const jwks = createRemoteJWKSet(new URL(`${auth.url}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(json.access_token, jwks, {
      issuer: auth.url,
      audience: auth.resource,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.client_id).toBe(clientId);
    expect(String(payload.scope).split(' ').sort()).toEqual(['images:read', 'images:write']);
    expect(payload.gid).toEqual(expect.any(String));
    const connection = await getConnectionByGrantId(auth.database.db, String(payload.gid));
    expect(connection).toMatchObject({ clientId, clientName: 'Test Agent', clientKind: 'dcr', revokedAt: null });
    expect(connection!.environmentId).toMatch(/^env_/);
    expect(connection!.scopes).toEqual(expect.arrayContaining(['images:read', 'images:write']));
    // Stored hashed or not at all: no row holds the refresh token, the code or the access token.
    const stored = JSON.stringify(await auth.database.db.select().from(schema.oidcModels));
    expect(stored).not.toContain(json.refresh_token);
    expect(stored).not.toContain(callback.searchParams.get('code')!);
    expect(stored).not.toContain(json.access_token);
  });

  it('refuses an authorization request without PKCE', async () => {
    const clientId = await nativeClient();
    const url = authorizeUrl(clientId, 'x');
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it("accepts Codex's doubled resource and issues one audience, the canonical MCP URL", async () => {
    const origin = new URL(auth.resource).origin;
    const { status, json } = await authorize([
      ['resource', auth.resource],
      ['resource', `${origin}/`],
      ['scope', 'images:read images:write offline_access'],
    ]);
    expect(status).toBe(200);
    expect(decodeJwt(json.access_token).aud).toBe(auth.resource);
  });

  it('accepts an alias alone (the URL with a trailing slash) and a request with no scope gets read and write', async () => {
    const { status, json } = await authorize([['resource', `${auth.resource}/`]]);
    expect(status).toBe(200);
    const claims = decodeJwt(json.access_token);
    expect(claims.aud).toBe(auth.resource);
    expect(String(claims.scope).split(' ').sort()).toEqual(['images:read', 'images:write']);
    expect(json.refresh_token).toEqual(expect.any(String));
  });

  it('answers an unknown resource with invalid_target', async () => {
    const clientId = await nativeClient();
    const { challenge } = pkce();
    const response = await fetch(authorizeUrl(clientId, challenge, [['resource', 'https://elsewhere.example/api']]), { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_target');
  });

  it('grants read only when the person unticks write', async () => {
    const { json } = await authorize(undefined, { write: false });
    expect(decodeJwt(json.access_token).scope).toBe('images:read');
  });

  it('returns access_denied to the client when the person denies', async () => {
    const clientId = await nativeClient();
    const { challenge } = pkce();
    const { callback } = await completeAuthorization(authorizeUrl(clientId, challenge, [['resource', auth.resource]]), auth.url, person, { decision: 'deny' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('st-123');
  });

  it('refuses a consent POST without the CSRF token', async () => {
    const clientId = await nativeClient();
    const { challenge } = pkce();
    const attempt = completeAuthorization(authorizeUrl(clientId, challenge, [['resource', auth.resource]]), auth.url, person, { withoutCsrf: true });
    await expect(attempt).rejects.toMatchObject({ status: 403 });
  });

  it('makes a second authorization by the same person and client a second connection', async () => {
    const clientId = await nativeClient();
    const jar = new CookieJar();
    const grants: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { verifier, challenge } = pkce();
      const { callback } = await completeAuthorization(authorizeUrl(clientId, challenge, [['resource', auth.resource]]), auth.url, person, { environment: 'first' }, jar);
      const { json } = await token([
        ['grant_type', 'authorization_code'],
        ['code', callback.searchParams.get('code')!],
        ['redirect_uri', REDIRECT],
        ['client_id', clientId],
        ['code_verifier', verifier],
      ]);
      grants.push(String(decodeJwt(json.access_token).gid));
    }
    expect(grants[0]).not.toBe(grants[1]);
  });
});

describe('bad input', () => {
  it('answers an unknown or finished interaction with a page, not an error', async () => {
    for (const path of ['/interaction/nope', '/interaction/nope/signup']) {
      const response = await fetch(`${auth.url}${path}`);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('expired');
    }
    const posted = await fetch(`${auth.url}/interaction/nope/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=allow&decision=deny&scope=images:write',
    });
    expect(posted.status).toBe(400);
  });

  it('refuses a token request with a malformed body without a server error', async () => {
    const response = await fetch(`${auth.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=%ZZ&resource=%',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toEqual(expect.any(String));
  });
});

describe('who consents', () => {
  it('after a dashboard log-out, the next authorization in that browser asks for a log-in again', async () => {
    const jar = new CookieJar();
    const clientId = await nativeClient();
    const exchange = async (callback: URL, verifier: string) =>
      token([
        ['grant_type', 'authorization_code'],
        ['code', callback.searchParams.get('code')!],
        ['redirect_uri', REDIRECT],
        ['client_id', clientId],
        ['code_verifier', verifier],
      ]);
    const first = pkce();
    const a = await completeAuthorization(authorizeUrl(clientId, first.challenge, [['resource', auth.resource]]), auth.url, person, { environment: 'first' }, jar);
    await exchange(a.callback, first.verifier);

    const dashboard = await (await jar.fetch(`${auth.url}/dashboard/connections`)).text();
    const out = await jar.fetch(`${auth.url}/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formField(dashboard, 'csrf')! }).toString(),
    });
    expect(out.status).toBe(303);

    const other = { email: 'bob@example.com', password: 'bob has a long password' };
    await signUp(auth.database.db, other);
    const second = pkce();
    const b = await completeAuthorization(authorizeUrl(clientId, second.challenge, [['resource', auth.resource]]), auth.url, other, { environment: 'first' }, jar);
    expect(b.pages.some((p) => p.includes('name="password"'))).toBe(true);
    const { json } = await exchange(b.callback, second.verifier);
    const claims = decodeJwt(json.access_token);
    const connection = (await getConnectionByGrantId(auth.database.db, String(claims.gid)))!;
    const [bob] = await auth.database.db.select().from(schema.users).where(eq(schema.users.email, other.email));
    expect(claims.sub).toBe(bob!.id);
    expect(connection.userId).toBe(bob!.id);
  });
});

describe('organizations and Environments at consent', () => {
  it('offers every organization of the person and binds the connection to the chosen Environment and its organization', async () => {
    const member = { email: 'two-orgs@example.com', password: 'two organizations password' };
    const { user } = await signUp(auth.database.db, member);
    // A second organization the person belongs to (invitations are another issue's; insert it).
    const [second] = await auth.database.db.insert(schema.organizations).values({ id: 'org_secondsecondsecondsecond', name: 'Second Org' }).returning();
    await auth.database.db.insert(schema.memberships).values({ organizationId: second!.id, userId: user.id, role: 'DEVELOPER' });
    const [staging] = await auth.database.db
      .insert(schema.environments)
      .values({ id: 'env_stagingstagingstagingst', organizationId: second!.id, slug: 'staging', name: 'Staging' })
      .returning();

    const clientId = await nativeClient();
    const { verifier, challenge } = pkce();
    const { callback, pages } = await completeAuthorization(authorizeUrl(clientId, challenge, [['resource', auth.resource]]), auth.url, member, {
      environment: staging!.id,
    });
    const consent = pages.find((p) => p.includes('name="environment_id"'))!;
    expect(consent).toContain('name="organization_id"');
    expect(consent).toContain('Second Org');
    expect(consent).toContain('Staging');
    const { json } = await token([
      ['grant_type', 'authorization_code'],
      ['code', callback.searchParams.get('code')!],
      ['redirect_uri', REDIRECT],
      ['client_id', clientId],
      ['code_verifier', verifier],
    ]);
    const connection = (await getConnectionByGrantId(auth.database.db, String(decodeJwt(json.access_token).gid)))!;
    expect(connection.organizationId).toBe(second!.id);
    expect(connection.environmentId).toBe(staging!.id);
  });

  it("refuses an Environment of someone else's organization", async () => {
    const stranger = { email: 'stranger@example.com', password: 'stranger long password' };
    const { environments } = await signUp(auth.database.db, stranger);
    const clientId = await nativeClient();
    const { challenge } = pkce();
    const attempt = completeAuthorization(authorizeUrl(clientId, challenge, [['resource', auth.resource]]), auth.url, person, {
      environment: environments[0]!.id,
    });
    await expect(attempt).rejects.toMatchObject({ status: 400 });
  });
});

describe('refresh tokens: rotation, grace window, revocation', () => {
  const refresh = (clientId: string, refreshToken: string, extra: [string, string][] = []) =>
    token([['grant_type', 'refresh_token'], ['refresh_token', refreshToken], ['client_id', clientId], ...extra]);

  it('refreshes without a resource parameter, and with the configured URL', async () => {
    const first = await authorize();
    const second = await refresh(first.clientId, first.json.refresh_token);
    expect(second.status).toBe(200);
    expect(decodeJwt(second.json.access_token).aud).toBe(auth.resource);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    const third = await refresh(first.clientId, second.json.refresh_token, [['resource', auth.resource]]);
    expect(third.status).toBe(200);
  });

  it('lets two parallel refreshes with the same token both succeed', async () => {
    const { clientId, json } = await authorize();
    const [a, b] = await Promise.all([refresh(clientId, json.refresh_token), refresh(clientId, json.refresh_token)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.refresh_token).not.toBe(b.json.refresh_token);
  });

  it('lets a browser-based public client call the token endpoint cross-origin', async () => {
    const { clientId, json } = await authorize();
    const response = await fetch(`${auth.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://inspector.example' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: json.refresh_token, client_id: clientId }).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://inspector.example');
  });

  it('revokes the grant when a rotated token is reused after the grace window', async () => {
    const { clientId, json } = await authorize();
    const gid = String(decodeJwt(json.access_token).gid);
    const rotated = await refresh(clientId, json.refresh_token);
    expect(rotated.status).toBe(200);
    // Let the grace window pass: backdate the rotation by more than 30 s.
    await auth.database.db
      .update(schema.oidcModels)
      .set({ consumedAt: sql`now() - interval '31 seconds'` })
      .where(and(eq(schema.oidcModels.kind, 'RefreshToken'), eq(schema.oidcModels.grantId, gid), sql`${schema.oidcModels.consumedAt} is not null`));
    const replay = await refresh(clientId, json.refresh_token);
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    // The whole grant is gone: even the newest refresh token fails, and the connection is revoked.
    const newest = await refresh(clientId, rotated.json.refresh_token);
    expect(newest.json.error).toBe('invalid_grant');
    await expect.poll(async () => (await getConnectionByGrantId(auth.database.db, gid))?.revokedAt).toBeInstanceOf(Date);
  });

  it('revoking a refresh token (RFC 7009) revokes the connection and publishes the change', async () => {
    const events: ConnectionEvent[] = [];
    const stop = await subscribeToConnectionEvents(auth.database, (e) => events.push(e));
    try {
      const { clientId, json } = await authorize();
      const gid = String(decodeJwt(json.access_token).gid);
      const response = await fetch(`${auth.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: json.refresh_token, client_id: clientId }).toString(),
      });
      expect(response.status).toBe(200);
      await expect.poll(() => events.some((e) => e.type === 'revoked' && e.grantId === gid)).toBe(true);
      expect((await refresh(clientId, json.refresh_token)).json.error).toBe('invalid_grant');
    } finally {
      await stop();
    }
  });
});

describe('Authorized Connections over HTTP', () => {
  async function loggedIn(who: { email: string; password: string }) {
    const jar = new CookieJar();
    const page = await (await jar.fetch(`${auth.url}/login`)).text();
    const response = await jar.fetch(`${auth.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formField(page, 'csrf')!, email: who.email, password: who.password }).toString(),
    });
    expect(response.status).toBe(303);
    return jar;
  }

  it("one user cannot see, rebind or revoke another's connection", async () => {
    const { json } = await authorize();
    const gid = String(decodeJwt(json.access_token).gid);
    const connection = (await getConnectionByGrantId(auth.database.db, gid))!;
    const mallory = { email: 'mallory@example.com', password: 'another long password' };
    await signUp(auth.database.db, mallory);
    const jar = await loggedIn(mallory);
    const page = await (await jar.fetch(`${auth.url}/dashboard/connections`)).text();
    expect(page).not.toContain(connection.id);
    const csrf = formField(page, 'csrf')!;
    for (const path of ['environment', 'revoke']) {
      const response = await jar.fetch(`${auth.url}/dashboard/connections/${connection.id}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, environment_id: '' }).toString(),
      });
      expect(response.status).toBe(404);
    }
    const after = (await getConnectionByGrantId(auth.database.db, gid))!;
    expect(after.revokedAt).toBeNull();
    expect(after.environmentId).toBe(connection.environmentId);
  });

  it('rebinding on the page changes the Environment in place and publishes the change', async () => {
    const events: ConnectionEvent[] = [];
    const stop = await subscribeToConnectionEvents(auth.database, (e) => events.push(e));
    try {
      const { json } = await authorize(undefined, { environment: '' });
      const gid = String(decodeJwt(json.access_token).gid);
      const connection = (await getConnectionByGrantId(auth.database.db, gid))!;
      expect(connection.environmentId).toBeNull();
      const jar = await loggedIn(person);
      const page = await (await jar.fetch(`${auth.url}/dashboard/connections`)).text();
      const row = page.slice(page.indexOf(`data-connection-id="${connection.id}"`));
      const environmentId = row.match(/<option value="(env_[a-z0-9]+)"/)![1]!;
      const response = await jar.fetch(`${auth.url}/dashboard/connections/${connection.id}/environment`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: formField(page, 'csrf')!, environment_id: environmentId }).toString(),
      });
      expect(response.status).toBe(303);
      expect((await getConnectionByGrantId(auth.database.db, gid))!.environmentId).toBe(environmentId);
      await expect.poll(() => events.some((e) => e.type === 'rebound' && e.grantId === gid)).toBe(true);
      // The same grant keeps working: no re-authorization.
      expect((await token([['grant_type', 'refresh_token'], ['refresh_token', json.refresh_token], ['client_id', connection.clientId]])).status).toBe(200);
    } finally {
      await stop();
    }
  });

  it('revoking on the page deletes the tokens at once: the next refresh gets invalid_grant', async () => {
    const { clientId, json } = await authorize();
    const gid = String(decodeJwt(json.access_token).gid);
    const connection = (await getConnectionByGrantId(auth.database.db, gid))!;
    const jar = await loggedIn(person);
    const page = await (await jar.fetch(`${auth.url}/dashboard/connections`)).text();
    expect(page).toContain(connection.id);
    const response = await jar.fetch(`${auth.url}/dashboard/connections/${connection.id}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formField(page, 'csrf')! }).toString(),
    });
    expect(response.status).toBe(303);
    const refreshed = await token([['grant_type', 'refresh_token'], ['refresh_token', json.refresh_token], ['client_id', clientId]]);
    expect(refreshed.json.error).toBe('invalid_grant');
  });

  it('refuses a dashboard form without the CSRF token', async () => {
    const { json } = await authorize();
    const connection = (await getConnectionByGrantId(auth.database.db, String(decodeJwt(json.access_token).gid)))!;
    const jar = await loggedIn(person);
    const response = await jar.fetch(`${auth.url}/dashboard/connections/${connection.id}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(response.status).toBe(403);
    expect((await getConnectionByGrantId(auth.database.db, connection.grantId))!.revokedAt).toBeNull();
  });
});
