/**
 * The whole authorization-code flow driven by the real MCP SDK clients: @modelcontextprotocol/client
 * (v2) with a Client ID Metadata Document and with Dynamic Client Registration, and
 * @modelcontextprotocol/sdk (v1) with DCR. The person's part (log-in, consent with an Environment)
 * is done over HTTP by the flow driver from the SDK's redirectToAuthorization hook.
 */
import { createServer, type Server } from 'node:http';
import { startTestAuthServer, type TestAuthServer } from '@frameport/auth/testing';
import { auth as authV2 } from '@modelcontextprotocol/client';
import { auth as authV1 } from '@modelcontextprotocol/sdk/client/auth.js';
import { getConnectionByGrantId, signUp } from '@frameport/platform';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAuthorization } from './auth-flow-driver.ts';
import { MemoryOAuthProvider } from './support/oauth-provider.ts';

const person = { email: 'grace@example.com', password: 'a long enough password' };
const CIMD_URL = 'https://cimd.test/oauth/client.json';

let auth: TestAuthServer;
/** Stands in for apps/mcp's RFC 9728 metadata, and serves the test's client metadata document. */
let resourceHost: Server;
let resourceOrigin: string;

beforeAll(async () => {
  resourceHost = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/.well-known/oauth-protected-resource/mcp' || path === '/.well-known/oauth-protected-resource') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          resource: `${resourceOrigin}/mcp`,
          authorization_servers: [auth.url],
          scopes_supported: ['images:read', 'images:write'],
          bearer_methods_supported: ['header'],
        }),
      );
    }
    if (path === '/oauth/client.json') {
      // Like Claude Code's document: port-less loopback redirect, no application_type.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      return res.end(
        JSON.stringify({
          client_id: CIMD_URL,
          client_name: 'Metadata Document Agent',
          client_uri: 'https://cimd.test',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'none',
        }),
      );
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => resourceHost.listen(0, '127.0.0.1', resolve));
  const address = resourceHost.address();
  resourceOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // Test-only: the provider fetches https://cimd.test/... from the local server above. Real
  // deployments keep the https, public-address and no-redirect rules of the default fetch.
  const metadataFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== 'https://cimd.test') throw new Error(`unexpected metadata fetch ${url}`);
    const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
    return fetch(`${resourceOrigin}${url.pathname}`, rest);
  };
  auth = await startTestAuthServer({ mcpOrigin: resourceOrigin, metadataFetch });
  await signUp(auth.database.db, person);
});

afterAll(async () => {
  await auth?.close();
  await new Promise((resolve) => resourceHost?.close(resolve));
});


/** The v2 SDK's second auth() call: trades the code from the callback (with its RFC 9207 iss) for tokens. */
function exchangeCode(client: MemoryOAuthProvider, callback: URL) {
  return authV2(client as never, {
    serverUrl: auth.resource,
    authorizationCode: callback.searchParams.get('code')!,
    iss: callback.searchParams.get('iss') ?? undefined,
  });
}

async function verifyAccessToken(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${auth.url}/oauth/jwks`));
  const { payload } = await jwtVerify(token, jwks, { issuer: auth.url, audience: auth.resource, typ: 'at+jwt', algorithms: ['ES256'] });
  return payload;
}

describe('real MCP SDK clients complete the authorization-code flow', () => {
  it('v2 client with a Client ID Metadata Document', async () => {
    const client = new MemoryOAuthProvider('http://127.0.0.1:48123/callback', 'SDK Test Agent', CIMD_URL);
    expect(await authV2(client as never, { serverUrl: auth.resource })).toBe('REDIRECT');
    const url = client.authorizationUrl!;
    expect(url.searchParams.get('client_id')).toBe(CIMD_URL);
    expect(url.searchParams.get('resource')).toBe(auth.resource);
    const { callback, pages } = await completeAuthorization(url, auth.url, person, { environment: 'first' });
    expect(pages.some((p) => p.includes('Metadata Document Agent') && p.includes('client metadata document'))).toBe(true);
    expect(await exchangeCode(client, callback)).toBe('AUTHORIZED');
    const claims = await verifyAccessToken(client.requireAccessToken());
    expect(claims.client_id).toBe(CIMD_URL);
    expect(String(claims.scope).split(' ').sort()).toEqual(['images:read', 'images:write']);
    const connection = await getConnectionByGrantId(auth.database.db, String(claims.gid));
    expect(connection).toMatchObject({ clientKind: 'cimd', clientName: 'Metadata Document Agent', clientId: CIMD_URL });

    // A later call refreshes (the rotated refresh token replaces the old one).
    const before = client.requireAccessToken();
    expect(await authV2(client as never, { serverUrl: auth.resource })).toBe('AUTHORIZED');
    expect(client.requireAccessToken()).not.toBe(before);
    expect((await verifyAccessToken(client.requireAccessToken())).gid).toBe(claims.gid);
  });

  it('v2 client with Dynamic Client Registration', async () => {
    const client = new MemoryOAuthProvider('http://127.0.0.1:48124/callback', 'SDK Test Agent');
    expect(await authV2(client as never, { serverUrl: auth.resource })).toBe('REDIRECT');
    const { callback } = await completeAuthorization(client.authorizationUrl!, auth.url, person, { environment: '' });
    expect(await exchangeCode(client, callback)).toBe('AUTHORIZED');
    const claims = await verifyAccessToken(client.requireAccessToken());
    expect(claims.client_id).toEqual(expect.any(String));
    expect(claims.client_id).not.toBe(CIMD_URL);
    const connection = await getConnectionByGrantId(auth.database.db, String(claims.gid));
    expect(connection).toMatchObject({ clientKind: 'dcr', clientName: 'SDK Test Agent', environmentId: null });
  });

  it('v1 client (@modelcontextprotocol/sdk) with Dynamic Client Registration', async () => {
    const client = new MemoryOAuthProvider('http://localhost:48125/callback', 'SDK Test Agent');
    expect(await authV1(client as never, { serverUrl: auth.resource })).toBe('REDIRECT');
    const { callback } = await completeAuthorization(client.authorizationUrl!, auth.url, person, { environment: 'first', write: false });
    expect(callback.searchParams.get('iss')).toBe(auth.url);
    expect(await authV1(client as never, { serverUrl: auth.resource, authorizationCode: callback.searchParams.get('code')! })).toBe('AUTHORIZED');
    const claims = await verifyAccessToken(client.requireAccessToken());
    expect(claims.scope).toBe('images:read');
    const connection = await getConnectionByGrantId(auth.database.db, String(claims.gid));
    expect(connection).toMatchObject({ clientKind: 'dcr', clientId: claims.client_id });
    expect(connection!.environmentId).toMatch(/^env_/);
  });
});
