import { schema, type DbHandle } from '@frameport/db';
import { defineTool, SCOPES, tools } from '@frameport/image-tools';
import { bindEnvironment, getConnectionForUser } from '@frameport/platform';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAccount, createTestDatabase, startIssuer, startMcp, type Issuer, type McpInstance, type TestAccount } from './test-support.ts';

/** Stand-ins for the image tools of the next issue: one that needs an Environment, one that writes. */
const environmentTool = defineTool(
  {
    name: 'fixture_environment_echo',
    title: 'Echo the Environment',
    description: 'Test fixture: returns the Environment the call ran in, asking for one when the connection has none linked.',
    input: z.object({ note: z.string().optional().describe('Ignored.') }),
    output: z.object({ environmentId: z.string(), slug: z.string() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => `Ran in ${o.slug} (${o.environmentId}).`,
  },
  async (_args, ctx) => ({ environmentId: ctx.environment.id, slug: ctx.environment.slug }),
);

const writeTool = defineTool(
  {
    name: 'fixture_write',
    title: 'Write something',
    description: 'Test fixture standing in for a tool that changes data, so it needs the images:write scope.',
    input: z.object({}),
    output: z.object({ written: z.boolean() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    requiredScope: SCOPES.write,
    needsEnvironment: false,
    render: () => 'Written.',
  },
  async () => ({ written: true }),
);

const progressTool = defineTool(
  {
    name: 'fixture_progress',
    title: 'Report progress',
    description: 'Test fixture standing in for a tool that waits (e.g. until an image is READY) and reports progress.',
    input: z.object({}),
    output: z.object({ done: z.boolean() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: false,
    render: () => 'Done.',
  },
  async (_args, ctx) => {
    await ctx.reportProgress(1, 2, 'halfway');
    await ctx.reportProgress(2, 2, 'finished');
    return { done: true };
  },
);

let database: DbHandle;
let issuer: Issuer;
let mcp: McpInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  issuer = await startIssuer();
  mcp = await startMcp(database, issuer, { tools: [...tools, environmentTool, writeTool, progressTool] });
});

afterAll(async () => {
  await mcp?.close();
  await issuer?.close();
  await database?.close();
});

type Answer = { action: 'accept'; pick: 'production' } | { action: 'decline' | 'cancel' };

interface Recorded {
  statuses: number[];
  /** Bodies of the SSE responses to tools/call POSTs (what the client read on that stream). */
  toolCallStreams: Promise<string>[];
  elicitations: { message: string; requestedSchema: unknown }[];
}

/** A fetch that records what the client saw, without changing it. */
function recordingFetch(recorded: Recorded): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    recorded.statuses.push(response.status);
    const body = typeof init?.body === 'string' ? init.body : '';
    if (init?.method === 'POST' && body.includes('"tools/call"') && response.body) {
      const [mine, theirs] = response.body.tee();
      recorded.toolCallStreams.push(new Response(mine).text().catch(() => ''));
      return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    return response;
  };
}

function answerFor(account: TestAccount, answer: Answer) {
  if (answer.action !== 'accept') return { action: answer.action };
  const env = account.environments.find((e) => e.slug === answer.pick)!;
  return { action: 'accept' as const, content: { environment: env.id } };
}

async function connect(era: '2025' | '2026', token: string, options: { answer?: Answer; account?: TestAccount }) {
  const recorded: Recorded = { statuses: [], toolCallStreams: [], elicitations: [] };
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  const capabilities = options.answer ? { elicitation: { form: {} } } : {};
  if (era === '2025') {
    const client = new ClientV1({ name: 'v1-test', version: '1.0.0' }, { capabilities });
    if (options.answer) {
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        const params = request.params as { message: string; requestedSchema: unknown };
        recorded.elicitations.push({ message: params.message, requestedSchema: params.requestedSchema });
        return answerFor(options.account!, options.answer!);
      });
    }
    await client.connect(new TransportV1(new URL(mcp.mcpUrl), { requestInit, fetch: recordingFetch(recorded) }));
    return { client, recorded };
  }
  const client = new ClientV2({ name: 'v2-test', version: '1.0.0' }, { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  if (options.answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { message: string; requestedSchema: unknown };
      recorded.elicitations.push({ message: params.message, requestedSchema: params.requestedSchema });
      return answerFor(options.account!, options.answer!);
    });
  }
  await client.connect(new TransportV2(new URL(mcp.mcpUrl), { requestInit, fetch: recordingFetch(recorded) }));
  return { client, recorded };
}

const text = (result: unknown) => ((result as { content: { text: string }[] }).content).map((c) => c.text).join('\n');

describe.each(['2025', '2026'] as const)('Environment elicitation, %s era', (era) => {
  it('asks with a titled single-select, links the chosen Environment and continues the call', async () => {
    const account = await createAccount(database);
    const token = await issuer.mint(account.claims);
    const { client, recorded } = await connect(era, token, { answer: { action: 'accept', pick: 'production' }, account });
    const production = account.environments.find((e) => e.slug === 'production')!;

    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ environmentId: production.id, slug: 'production' });

    expect(recorded.elicitations).toHaveLength(1);
    expect(recorded.elicitations[0]!.message).toContain('Test Client');
    expect(recorded.elicitations[0]!.requestedSchema).toEqual({
      type: 'object',
      properties: {
        environment: {
          type: 'string',
          title: 'Environment',
          description: expect.any(String),
          oneOf: account.environments.map((e) => ({ const: e.id, title: `${e.name} (${e.slug})` })),
        },
      },
      required: ['environment'],
    });
    // Stored on the connection: the dashboard shows it, and the next call does not ask again.
    const connection = await getConnectionForUser(database.db, { userId: account.user.id, connectionId: account.connection.id });
    expect(connection.environmentId).toBe(production.id);
    const again = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(again.structuredContent).toEqual({ environmentId: production.id, slug: 'production' });
    expect(recorded.elicitations).toHaveLength(1);

    if (era === '2025') {
      // INTEROP: the elicitation travels on the tools/call POST's own SSE stream, not the GET stream.
      expect(await recorded.toolCallStreams[0]).toContain('"method":"elicitation/create"');
    }

    const rows = await database.db.select().from(schema.audit).where(eq(schema.audit.connectionId, account.connection.id));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      tool: 'fixture_environment_echo',
      outcome: 'ok',
      environmentId: production.id,
      organizationId: account.organization.id,
      userId: account.user.id,
      argumentsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(rows[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    await client.close();
  });

  for (const action of ['decline', 'cancel'] as const) {
    it(`on ${action}, returns a tool error naming the Environments and the dashboard link`, async () => {
      const account = await createAccount(database);
      const { client, recorded } = await connect(era, await issuer.mint(account.claims), { answer: { action }, account });
      const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
      expect(result.isError).toBe(true);
      const message = text(result);
      for (const env of account.environments) expect(message).toContain(`${env.name} (${env.id})`);
      expect(message).toContain('http://localhost:4000/dashboard/connections');
      expect(recorded.elicitations).toHaveLength(1);
      const connection = await getConnectionForUser(database.db, { userId: account.user.id, connectionId: account.connection.id });
      expect(connection.environmentId).toBeNull();
      const [row] = await database.db.select().from(schema.audit).where(eq(schema.audit.connectionId, account.connection.id));
      expect(row).toMatchObject({ outcome: 'error', errorCode: 'environment_declined' });
      await client.close();
    });
  }

  it('without elicitation support, returns a tool error naming the Environments and the dashboard link', async () => {
    const account = await createAccount(database);
    const { client } = await connect(era, await issuer.mint(account.claims), {});
    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(result.isError).toBe(true);
    const message = text(result);
    expect(message).toContain('cannot ask the user');
    for (const env of account.environments) expect(message).toContain(env.id);
    expect(message).toContain('http://localhost:4000/dashboard/connections');
    await client.close();
  });

  it('uses a linked Environment without asking', async () => {
    const account = await createAccount(database);
    const development = account.environments.find((e) => e.slug === 'development')!;
    await bindEnvironment(database.db, { userId: account.user.id, connectionId: account.connection.id, environmentId: development.id });
    const { client, recorded } = await connect(era, await issuer.mint(account.claims), { answer: { action: 'accept', pick: 'production' }, account });
    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: {} });
    expect(result.structuredContent).toEqual({ environmentId: development.id, slug: 'development' });
    expect(recorded.elicitations).toHaveLength(0);
    await client.close();
  });

  it('refuses invalid arguments with a tool error before any work, and audits the call', async () => {
    const account = await createAccount(database);
    const { client, recorded } = await connect(era, await issuer.mint(account.claims), { answer: { action: 'accept', pick: 'production' }, account });
    const result = await client.callTool({ name: 'fixture_environment_echo', arguments: { note: 42 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('Invalid arguments for fixture_environment_echo');
    expect(text(result)).toContain('note');
    expect(recorded.elicitations).toHaveLength(0);
    // The advertised schema is still the tool's own.
    const listed = (await client.listTools()).tools.find((t) => t.name === 'fixture_environment_echo')!;
    expect(listed.inputSchema).toMatchObject({ type: 'object', properties: { note: { type: 'string', description: 'Ignored.' } } });
    const [row] = await database.db.select().from(schema.audit).where(eq(schema.audit.connectionId, account.connection.id));
    expect(row).toMatchObject({ tool: 'fixture_environment_echo', outcome: 'error', errorCode: 'invalid_arguments' });
    await client.close();
  });

  it('sends notifications/progress when the caller gave a progress token', async () => {
    const account = await createAccount(database);
    const { client } = await connect(era, await issuer.mint(account.claims), {});
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const onprogress = (p: { progress: number; total?: number; message?: string }) => void seen.push(p);
    const result =
      client instanceof ClientV1
        ? await client.callTool({ name: 'fixture_progress', arguments: {} }, undefined, { onprogress })
        : await client.callTool({ name: 'fixture_progress', arguments: {} }, { onprogress });
    expect(result.structuredContent).toEqual({ done: true });
    expect(seen).toEqual([
      { progress: 1, total: 2, message: 'halfway' },
      { progress: 2, total: 2, message: 'finished' },
    ]);
    await client.close();
  });

  it('a read-only connection does not see write tools and gets a 403 step-up when calling one', async () => {
    const account = await createAccount(database, { scopes: ['images:read'] });
    const { client, recorded } = await connect(era, await issuer.mint(account.claims), {});
    const { tools: listed } = await client.listTools();
    expect(listed.map((t) => t.name)).toContain('whoami');
    expect(listed.map((t) => t.name)).not.toContain('fixture_write');
    await expect(client.callTool({ name: 'fixture_write', arguments: {} })).rejects.toThrow();
    expect(recorded.statuses.at(-1)).toBe(403);
    await client.close();
  });
});

describe('step-up challenge', () => {
  it('carries insufficient_scope, the full scope and the metadata URL', async () => {
    const account = await createAccount(database, { scopes: ['images:read'] });
    const token = await issuer.mint(account.claims);
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` };
    const init = await fetch(mcp.mcpUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const response = await fetch(mcp.mcpUrl, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fixture_write', arguments: {} } }),
    });
    expect(response.status).toBe(403);
    const header = response.headers.get('www-authenticate')!;
    expect(header).toContain('error="insufficient_scope"');
    expect(header).toContain('scope="images:read images:write"');
    expect(header).toContain('resource_metadata="http://localhost:4001/.well-known/oauth-protected-resource/mcp"');
  });
});
