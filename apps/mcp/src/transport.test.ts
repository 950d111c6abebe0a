import type { DbHandle } from '@frameport/db';
import { tools } from '@frameport/image-tools';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SESSIONS_PER_PRINCIPAL } from './legacy-sessions.ts';
import { createAccount, createTestDatabase, startIssuer, startMcp, type Issuer, type McpInstance, type TestAccount } from './test-support.ts';

let database: DbHandle;
let issuer: Issuer;
let mcp: McpInstance;
let account: TestAccount;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  issuer = await startIssuer();
  mcp = await startMcp(database, issuer);
  account = await createAccount(database);
  token = await issuer.mint(account.claims);
});

afterAll(async () => {
  await mcp?.close();
  await issuer?.close();
  await database?.close();
});

const auth = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });

async function connectV1(t: string) {
  const client = new ClientV1({ name: 'v1-test', version: '1.0.0' });
  const transport = new TransportV1(new URL(mcp.mcpUrl), { requestInit: auth(t) });
  await client.connect(transport);
  expect(transport.protocolVersion).toBe('2025-11-25');
  expect(transport.sessionId).toMatch(/^a\./);
  return client;
}

async function connectV2(t: string) {
  const client = new ClientV2({ name: 'v2-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new TransportV2(new URL(mcp.mcpUrl), { requestInit: auth(t) }));
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return client;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(mcp.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('protected resource metadata (RFC 9728)', () => {
  for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
    it(`is served at ${path} with the configured resource URL exactly`, async () => {
      const response = await fetch(`${mcp.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        resource: 'http://localhost:4001/mcp',
        authorization_servers: ['http://localhost:4000'],
        scopes_supported: ['images:read', 'images:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Frameport',
      });
    });
  }
});

describe('bearer authentication', () => {
  const prm = 'resource_metadata="http://localhost:4001/.well-known/oauth-protected-resource/mcp"';

  it('answers a request without a token with 401 and the discovery challenge', async () => {
    const response = await post(initialize);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${prm}, scope="images:read images:write"`);
  });

  const cases: [string, () => Promise<string>][] = [
    ['a token signed by another key', async () => issuer.mint(account.claims, { key: (await import('jose').then((j) => j.generateKeyPair('ES256'))).privateKey })],
    ['an expired token', () => issuer.mint(account.claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ['a token for another audience', () => issuer.mint(account.claims, { audience: 'http://localhost:4002/' })],
    ['a token from another issuer', () => issuer.mint(account.claims, { issuer: 'http://evil.test' })],
    ['a token that is not an access token (typ JWT)', () => issuer.mint(account.claims, { typ: 'JWT' })],
    [
      'an unsigned token (alg none)',
      async () => {
        const [, payload] = (await issuer.mint(account.claims)).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
        return `${header}.${payload}.`;
      },
    ],
    ['a token of an unknown grant', () => issuer.mint({ ...account.claims, grantId: 'grant-unknown' })],
    ['a token whose subject is not the connection user', () => issuer.mint({ ...account.claims, sub: 'usr_someoneelse' })],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name} with 401 invalid_token`, async () => {
      const response = await post(initialize, { authorization: `Bearer ${await make()}` });
      expect(response.status).toBe(401);
      const header = response.headers.get('www-authenticate')!;
      expect(header).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", /);
      expect(header).toContain(prm);
      expect(header).toContain('scope="images:read images:write"');
      expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    });
  }
});

describe('request hygiene', () => {
  it('refuses a foreign Host header (DNS rebinding) with 403 before authentication', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(mcp.mcpUrl, { method: 'POST', headers: { host: 'evil.example:4001', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(JSON.stringify(initialize));
    });
    expect(status).toBe(403);
  });

  it('refuses a foreign Origin with 403 and allows a configured one with CORS headers', async () => {
    expect((await post(initialize, { origin: 'https://evil.example', authorization: `Bearer ${token}` })).status).toBe(403);
    const preflight = await fetch(mcp.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:4000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, mcp-session-id' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:4000');
    const response = await post(initialize, { origin: 'http://localhost:4000', authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:4000');
    expect(response.headers.get('access-control-expose-headers')).toContain('mcp-session-id');
  });

  it('answers a malformed body with a JSON-RPC parse error, not a 500', async () => {
    const response = await post('{"jsonrpc": "2.0", "method":', { authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: expect.any(String) }, id: null });
  });

  it('answers an oversized body with a JSON-RPC error and 413', async () => {
    const response = await post({ ...initialize, padding: 'x'.repeat(1_100_000) }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
  });

  it('answers other HTTP methods with 405', async () => {
    const response = await fetch(mcp.mcpUrl, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('answers a 2025 request without a session with 400', async () => {
    const response = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(400);
  });
});

describe.each([
  ['2025-11-25 (@modelcontextprotocol/sdk v1)', connectV1],
  ['2026-07-28 (@modelcontextprotocol/client v2)', connectV2],
])('%s', (_era, connect) => {
  it('lists every tool with title, annotations and schemas', async () => {
    const client = await connect(token);
    const { tools: listed } = await client.listTools();
    expect(listed.map((t) => t.name).sort()).toEqual(tools.map((t) => t.name).sort());
    const whoami = listed.find((t) => t.name === 'whoami')!;
    expect(whoami.title).toBe('Who am I');
    expect(whoami.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(whoami.outputSchema).toMatchObject({ type: 'object' });
    await client.close();
  });

  it('whoami reports the user, organization, role, Environments, connection and scopes', async () => {
    const client = await connect(token);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      user: { id: account.user.id, email: account.user.email },
      organization: { id: account.organization.id },
      role: 'OWNER',
      environments: account.environments.map(({ id, slug, name }) => ({ id, slug, name })),
      linkedEnvironment: null,
      connection: { id: account.connection.id, dashboardUrl: 'http://localhost:4000/dashboard/connections' },
      client: { id: 'client-test', name: 'Test Client', kind: 'dcr' },
      scopes: ['images:read', 'images:write'],
    });
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(text).toContain(account.user.email);
    await client.close();
  });

  it('get_server_token_dashboard_link returns a dashboard URL and no key', async () => {
    const client = await connect(token);
    const result = await client.callTool({ name: 'get_server_token_dashboard_link', arguments: {} });
    expect(result.structuredContent).toEqual({ url: 'http://localhost:4000/dashboard/keys', environmentId: null });
    expect(JSON.stringify(result)).not.toMatch(/sk_/);
    await client.close();
  });
});

describe('2025 sessions', () => {
  it('negotiates 2025-06-18 as well as 2025-11-25', async () => {
    const response = await post({ ...initialize, params: { ...initialize.params, protocolVersion: '2025-06-18' } }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"protocolVersion":"2025-06-18"');
  });

  it('prefixes session ids with the instance id and keeps them to the principal that opened them', async () => {
    const response = await post(initialize, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    const sessionId = response.headers.get('mcp-session-id')!;
    expect(sessionId).toMatch(/^a\./);
    await response.text();

    const other = await createAccount(database);
    const otherToken = await issuer.mint(other.claims);
    const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    const stolen = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...headers, authorization: `Bearer ${otherToken}` });
    expect(stolen.status).toBe(404);

    const own = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { ...headers, authorization: `Bearer ${token}` });
    expect(own.status).toBe(200);
    await own.text();

    const ended = await fetch(mcp.mcpUrl, { method: 'DELETE', headers: { ...headers, authorization: `Bearer ${token}` } });
    expect(ended.status).toBe(200);
    const after = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { ...headers, authorization: `Bearer ${token}` });
    expect(after.status).toBe(404);
  });
});

describe('2025 session lifetime', () => {
  it(`keeps at most ${MAX_SESSIONS_PER_PRINCIPAL} sessions per principal, ending the least recently used`, async () => {
    const owner = await createAccount(database);
    const authorization = `Bearer ${await issuer.mint(owner.claims)}`;
    const ids: string[] = [];
    for (let i = 0; i <= MAX_SESSIONS_PER_PRINCIPAL; i++) {
      const response = await post(initialize, { authorization });
      ids.push(response.headers.get('mcp-session-id')!);
      await response.text();
    }
    const list = (id: string) =>
      post({ jsonrpc: '2.0', id: 9, method: 'tools/list' }, { authorization, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
    expect((await list(ids[0]!)).status).toBe(404);
    const newest = await list(ids.at(-1)!);
    expect(newest.status).toBe(200);
    await newest.text();
  });

  it('serves the stand-alone GET stream and evicts a session left idle', async () => {
    const idle = await startMcp(database, issuer, { instanceId: 'idle', env: { MCP_SESSION_IDLE_SECONDS: '1' } });
    try {
      const authorization = `Bearer ${token}`;
      const init = await fetch(idle.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization },
        body: JSON.stringify(initialize),
      });
      const sessionId = init.headers.get('mcp-session-id')!;
      await init.text();
      const headers = { authorization, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };

      const abort = new AbortController();
      const stream = await fetch(idle.mcpUrl, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      abort.abort();
      await stream.body?.cancel().catch(() => {});

      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const after = await fetch(idle.mcpUrl, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(after.status).toBe(404);
    } finally {
      await idle.close();
    }
  });
});
