import type { DbHandle } from '@frameport/db';
import { defineTool, SCOPES, tools } from '@frameport/image-tools';
import { bindEnvironment, revokeConnection, subscribeToConnectionEvents, type ConnectionEvent } from '@frameport/platform';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAccount, createTestDatabase, startIssuer, startMcp, type Issuer, type McpInstance, type TestAccount } from './test-support.ts';

const environmentTool = defineTool(
  {
    name: 'fixture_environment_echo',
    title: 'Echo the Environment',
    description: 'Test fixture: returns the Environment the call ran in, asking for one when the connection has none linked.',
    input: z.object({}),
    output: z.object({ environmentId: z.string(), slug: z.string() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => `Ran in ${o.slug}.`,
  },
  async (_args, ctx) => ({ environmentId: ctx.environment.id, slug: ctx.environment.slug }),
);

let database: DbHandle;
let issuer: Issuer;
let a: McpInstance;
let b: McpInstance;
const events: ConnectionEvent[] = [];
let stopListening: () => Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  issuer = await startIssuer();
  const catalog = [...tools, environmentTool];
  a = await startMcp(database, issuer, { instanceId: 'a', tools: catalog });
  b = await startMcp(database, issuer, { instanceId: 'b', tools: catalog });
  stopListening = await subscribeToConnectionEvents(database, (event) => events.push(event));
});

afterAll(async () => {
  await stopListening?.();
  await a?.close();
  await b?.close();
  await issuer?.close();
  await database?.close();
});

interface Hit {
  instance: 'a' | 'b';
  method: string;
  sessionId: string | null;
  status: number;
}

/** A load balancer in front of both instances: round-robin, or by session-id prefix when one is present. */
function balancer(mode: 'round-robin' | 'prefix-affinity', hits: Hit[]): typeof fetch {
  let next = 0;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const sessionId = new Headers(init?.headers).get('mcp-session-id');
    let instance: 'a' | 'b' = next++ % 2 === 0 ? 'b' : 'a';
    if (mode === 'prefix-affinity' && sessionId) instance = sessionId.startsWith('a.') ? 'a' : 'b';
    const target = new URL(instance === 'a' ? a.mcpUrl : b.mcpUrl);
    url.host = target.host;
    const response = await fetch(url, init);
    hits.push({ instance, method: init?.method ?? 'GET', sessionId, status: response.status });
    return response;
  };
}

function pick(account: TestAccount, slug: string) {
  return account.environments.find((e) => e.slug === slug)!;
}

async function modernClient(account: TestAccount, hits: Hit[], slug = 'production') {
  const client = new ClientV2(
    { name: 'v2-test', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { environment: pick(account, slug).id } }));
  const token = await issuer.mint(account.claims);
  await client.connect(new TransportV2(new URL(a.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } }, fetch: balancer('round-robin', hits) }));
  return client;
}

async function nextEvent(type: ConnectionEvent['type'], connectionId: string): Promise<void> {
  await expect.poll(() => events.some((e) => e.type === type && e.connectionId === connectionId), { timeout: 5_000, interval: 10 }).toBe(true);
}

describe('two MCP instances', () => {
  it('2026-07-28: round-robin serves every request anywhere, and an elicitation completes across instances', async () => {
    const account = await createAccount(database);
    const hits: Hit[] = [];
    const client = await modernClient(account, hits);
    const before = hits.length;
    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(result.structuredContent).toEqual({ environmentId: pick(account, 'production').id, slug: 'production' });
    // The input_required round and its retry landed on different instances (shared requestState key).
    const callHits = hits.slice(before);
    expect(callHits).toHaveLength(2);
    expect(new Set(callHits.map((h) => h.instance))).toEqual(new Set(['a', 'b']));
    await client.close();
  });

  it('2025-11-25: session ids route back to their instance, and the elicitation completes there', async () => {
    const account = await createAccount(database);
    const hits: Hit[] = [];
    const client = new ClientV1({ name: 'v1-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { environment: pick(account, 'development').id } }));
    const transport = new TransportV1(new URL(a.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${await issuer.mint(account.claims)}` } },
      fetch: balancer('prefix-affinity', hits),
    });
    await client.connect(transport);
    // Round-robin sent initialize to b; everything after follows the b. prefix.
    expect(transport.sessionId).toMatch(/^b\./);
    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(result.structuredContent).toEqual({ environmentId: pick(account, 'development').id, slug: 'development' });
    const withSession = hits.filter((h) => h.sessionId);
    expect(withSession.length).toBeGreaterThan(1);
    expect(withSession.every((h) => h.instance === 'b' && h.status < 400)).toBe(true);
    await client.close();
  });

  it('a revoked connection gets 401 on its next call on the other instance', async () => {
    const account = await createAccount(database);
    const hits: Hit[] = [];
    const client = await modernClient(account, hits);
    // Warm both instances' connection caches.
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });
    expect(new Set(hits.slice(-2).map((h) => h.instance))).toEqual(new Set(['a', 'b']));

    await revokeConnection(database.db, { userId: account.user.id, connectionId: account.connection.id });
    await nextEvent('revoked', account.connection.id);

    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    expect(hits.at(-1)!.status).toBe(401);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    expect(hits.at(-1)!.status).toBe(401);
    expect(new Set(hits.slice(-2).map((h) => h.instance))).toEqual(new Set(['a', 'b']));
    await client.close().catch(() => {});
  });

  it("revoking a connection ends its 2025 sessions' open streams", async () => {
    const account = await createAccount(database);
    const authorization = `Bearer ${await issuer.mint(account.claims)}`;
    const init = await fetch(a.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const stream = await fetch(a.mcpUrl, {
      headers: { authorization, accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(stream.status).toBe(200);
    const ended = (async () => {
      const reader = stream.body!.getReader();
      while (!(await reader.read()).done);
      return true;
    })().catch(() => true);

    await revokeConnection(database.db, { userId: account.user.id, connectionId: account.connection.id });
    await expect(Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve(false), 5_000))])).resolves.toBe(true);
  });

  it('a rebind in the dashboard applies to the next call, on any instance, without re-authorization', async () => {
    const account = await createAccount(database, { environmentId: null });
    const hits: Hit[] = [];
    const client = await modernClient(account, hits, 'development');
    const first = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(first.structuredContent).toMatchObject({ slug: 'development' });

    await bindEnvironment(database.db, { userId: account.user.id, connectionId: account.connection.id, environmentId: pick(account, 'production').id });
    for (let i = 0; i < 2; i++) {
      const next = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
      expect(next.structuredContent).toMatchObject({ slug: 'production' });
    }
    await client.close();
  });

  it("one user's token never reaches another organization's data", async () => {
    const alice = await createAccount(database);
    const bob = await createAccount(database);
    const hits: Hit[] = [];
    const client = await modernClient(alice, hits);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    const content = who.structuredContent as { organization: { id: string }; environments: { id: string }[] };
    expect(content.organization.id).toBe(alice.organization.id);
    const bobsEnvironments = new Set(bob.environments.map((e) => e.id));
    expect(content.environments.some((e) => bobsEnvironments.has(e.id))).toBe(false);
    // Alice's token with Bob's grant id is refused outright.
    const forged = await issuer.mint({ ...alice.claims, grantId: bob.connection.grantId });
    const response = await fetch(a.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${forged}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    await client.close();
  });
});
