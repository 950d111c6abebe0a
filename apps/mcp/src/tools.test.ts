import { schema, type DbHandle } from '@frameport/db';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createTestDatabase, startIssuer, startMcp, type Issuer, type McpInstance, type TestAccount } from './test-support.ts';

/** Expected failures of the image tools: trusted, actionable text, nothing changed, one audit row each. */
let database: DbHandle;
let issuer: Issuer;
let mcp: McpInstance;
let account: TestAccount;
let client: Client;

type Result = { isError?: boolean; content: { text: string }[]; structuredContent?: Record<string, any> };
const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
const text = (r: Result) => r.content.map((c) => c.text).join('\n');

beforeAll(async () => {
  database = await createTestDatabase();
  issuer = await startIssuer();
  // A plan of one image, and no fetch allow-list: loopback stays forbidden, as in production.
  mcp = await startMcp(database, issuer, { env: { PLAN_MAX_IMAGES: '1' } });
  account = await createAccount(database);
  // Link the Environment the way consent does, so no elicitation is needed.
  await database.db.update(schema.connections).set({ environmentId: account.environments[0]!.id }).where(eq(schema.connections.id, account.connection.id));
  const token = await issuer.mint(account.claims);
  client = new Client({ name: 'errors', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcp.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
});

afterAll(async () => {
  await client?.close();
  await mcp?.close();
  await issuer?.close();
  await database?.close();
});

const auditRows = (tool: string) =>
  database.db
    .select()
    .from(schema.audit)
    .where(and(eq(schema.audit.connectionId, account.connection.id), eq(schema.audit.tool, tool)));

describe('image tool errors', () => {
  it('upload_image_via_url refuses a loopback URL through the SSRF guard', async () => {
    const result = await call('upload_image_via_url', { url: `${mcp.url}/health` });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('127.0.0.1 is a loopback address');
    // The refused fetch leaves a FAILED record with the reason; it does not count against the plan.
    const failed = await call('list_images', { status: 'FAILED' });
    expect(failed.structuredContent!.images[0].statusReason).toBe(text(result));
    expect(text(result)).not.toMatch(/stack|at \w+ \(/);
  });

  it('a quota refusal names the limit and creates nothing', async () => {
    const first = await call('upload_image', { fileName: 'a.png', contentLength: 100 });
    expect(first.isError).toBeFalsy();
    const second = await call('upload_image', { fileName: 'b.png', contentLength: 100 });
    expect(second.isError).toBe(true);
    expect(text(second)).toContain('plan limit of 1 images');
    const listed = await call('list_images', { status: 'PENDING' });
    expect(listed.structuredContent!.images.map((i: { fileName: string }) => i.fileName)).toEqual(['a.png']);
    expect((await auditRows('upload_image')).map((r) => [r.outcome, r.errorCode])).toEqual(
      expect.arrayContaining([
        ['ok', null],
        ['error', 'limit_exceeded'],
      ]),
    );
  });

  it('bad arguments are refused before any work, naming the field', async () => {
    const result = await call('get_image_url', { imageId: 'img_x', width: 0 });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('width');
    const wait = await call('retrieve_image', { imageId: 'img_x', waitUntilReady: true, timeoutSeconds: 600 });
    expect(wait.isError).toBe(true);
    expect(text(wait)).toContain('timeoutSeconds');
    expect((await auditRows('retrieve_image')).map((r) => r.errorCode)).toEqual(['invalid_arguments']);
  });
});
