/**
 * The twelve image tools through real MCP clients — @modelcontextprotocol/sdk v1 (2025-11-25,
 * sessionful) and @modelcontextprotocol/client v2 pinned to 2026-07-28 (stateless) — against
 * apps/mcp with access tokens apps/auth issued through log-in and consent, and apps/api serving
 * the uploads, the CDN and the bulk-download worker. One stack for the whole file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { revokeConnection, signUp, subscribeToConnectionEvents, type ConnectionEvent } from '@frameport/platform';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpStack, type McpStack } from './mcp-stack.ts';
import { makePng } from './support/image-flow.ts';

const alice = { email: 'alice@tools.example', password: 'a long enough password' };
const mallory = { email: 'mallory@other.example', password: 'another long password' };

let stack: McpStack;
let origin: Server;
let originUrl: string;
let aliceToken: string;
const served = await makePng(40, 30, 7);

beforeAll(async () => {
  // The "internet" for upload_image_via_url: a local origin, reachable only because this stack
  // allows 127.0.0.1/32 (FETCH_ALLOW_CIDRS, development only); the SSRF guard refuses loopback otherwise.
  origin = createServer((req, res) => {
    if (req.url === '/pictures/sunset.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(served);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  stack = await startMcpStack({ env: { FETCH_ALLOW_CIDRS: '127.0.0.1/32' } });
  await signUp(stack.database.db, alice);
  await signUp(stack.database.db, mallory);
  aliceToken = await stack.authorize(alice);
});

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => origin?.close(resolve));
});

type Era = '2025' | '2026';
interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
}
type Progress = { progress: number; total?: number; message?: string };

/** One MCP client of either SDK generation, reduced to what these tests use. */
interface Session {
  listTools(): Promise<string[]>;
  call(name: string, args?: Record<string, unknown>, onprogress?: (p: Progress) => void): Promise<ToolResult>;
  /** HTTP statuses of every response the client received, in order. */
  statuses: number[];
  close(): Promise<void>;
}

type Elicit = (params: { message: string; requestedSchema: any }) => { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> };

async function open(era: Era, token: string, elicit?: Elicit): Promise<Session> {
  const statuses: number[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  if (era === '2025') {
    const client = new ClientV1({ name: 'tools-v1', version: '1.0.0' }, { capabilities: elicit ? { elicitation: { form: {} } } : {} });
    if (elicit) client.setRequestHandler(ElicitRequestSchema, async (request) => elicit(request.params as never) as never);
    await client.connect(new TransportV1(new URL(stack.urls.mcp), { requestInit, fetch: recording }));
    return {
      statuses,
      listTools: async () => (await client.listTools()).tools.map((t) => t.name),
      call: async (name, args = {}, onprogress) =>
        (await client.callTool({ name, arguments: args }, undefined, onprogress ? { onprogress } : undefined)) as ToolResult,
      close: () => client.close(),
    };
  }
  const client = new ClientV2(
    { name: 'tools-v2', version: '1.0.0' },
    { capabilities: elicit ? { elicitation: { form: {} } } : {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  if (elicit) client.setRequestHandler('elicitation/create', async (request) => elicit(request.params as never) as never);
  await client.connect(new TransportV2(new URL(stack.urls.mcp), { requestInit, fetch: recording }));
  return {
    statuses,
    listTools: async () => (await client.listTools()).tools.map((t) => t.name),
    call: async (name, args = {}, onprogress) => (await client.callTool({ name, arguments: args }, onprogress ? { onprogress } : undefined)) as ToolResult,
    close: () => client.close(),
  };
}

const text = (r: ToolResult) => r.content.map((c) => c.text).join('\n');
/** The structured result of a successful call (fails the test with the tool's text otherwise). */
function ok<T = Record<string, any>>(r: ToolResult): T {
  if (r.isError) throw new Error(`tool error: ${text(r)}`);
  expect(r.content[0]?.type).toBe('text');
  expect(text(r).length).toBeGreaterThan(0);
  return r.structuredContent as T;
}

const WRITE_TOOLS = ['create_client_token', 'upload_image_via_url', 'upload_image', 'create_bulk_image_download'];
const ALL_TOOLS = [
  'whoami',
  'create_client_token',
  'upload_image_via_url',
  'upload_image',
  'retrieve_image',
  'get_image_url',
  'list_images',
  'fetch_metrics',
  'get_usage',
  'create_bulk_image_download',
  'retrieve_bulk_image_download',
  'get_server_token_dashboard_link',
];

describe.each(['2025', '2026'] as const)('every tool through a real client, %s era', (era) => {
  let session: Session;
  const ids: string[] = [];
  let environment: { id: string; slug: string };
  let organizationId: string;

  beforeAll(async () => {
    session = await open(era, aliceToken);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('lists all twelve tools to a read+write connection', async () => {
    expect((await session.listTools()).sort()).toEqual([...ALL_TOOLS].sort());
  });

  it('whoami names the linked Environment chosen at consent', async () => {
    const me = ok(await session.call('whoami'));
    expect(me.user.email).toBe(alice.email);
    expect(me.linkedEnvironment).toMatchObject({ id: expect.stringMatching(/^env_/) });
    environment = me.linkedEnvironment;
    organizationId = me.organization.id;
  });

  it('upload_image returns a presigned PUT that apps/api accepts; retrieve_image waits (with progress) until READY', async () => {
    const bytes = await makePng(64, 48, era === '2025' ? 1 : 2);
    const created = ok(await session.call('upload_image', { fileName: 'hero.png', contentLength: bytes.length, mimeType: 'image/png', purpose: 'hero' }));
    expect(created.image).toMatchObject({ status: 'PENDING', environmentId: environment.id, url: null });
    expect(created.upload.method).toBe('PUT');
    expect(created.upload.url.startsWith(`${stack.urls.api}/`)).toBe(true);
    expect(created.upload.headers).toEqual({ 'content-type': 'image/png' });

    // Before the bytes arrive the wait is bounded, reports progress and says it timed out.
    const progress: Progress[] = [];
    const pending = ok(await session.call('retrieve_image', { imageId: created.image.id, waitUntilReady: true, timeoutSeconds: 1 }, (p) => progress.push(p)));
    expect(pending).toMatchObject({ timedOut: true, image: { status: 'PENDING' } });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ total: 1000, message: expect.stringContaining('PENDING') });

    const put = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const ready = ok(await session.call('retrieve_image', { imageId: created.image.id, waitUntilReady: true }));
    expect(ready).toMatchObject({ timedOut: false, image: { status: 'READY', width: 64, height: 48, sizeBytes: bytes.length, purpose: 'hero' } });
    expect(ready.image.url.startsWith(`${stack.urls.api}/cdn/`)).toBe(true);
    ids.push(created.image.id);
  });

  it('upload_image_via_url fetches from an origin through the SSRF-guarded fetcher', async () => {
    const result = ok(await session.call('upload_image_via_url', { url: `${originUrl}/pictures/sunset.png`, metadata: { era } }));
    expect(result).toMatchObject({ existing: false, image: { status: 'READY', fileName: 'sunset.png', width: 40, height: 30, metadata: { era } } });
    const delivered = await fetch(result.image.url);
    expect(delivered.status).toBe(200);
    expect(Buffer.from(await delivered.arrayBuffer()).equals(served)).toBe(true);
    ids.push(result.image.id);
  });

  it('get_image_url builds preset and parameter URLs the CDN serves', async () => {
    const thumb = ok(await session.call('get_image_url', { imageId: ids[0], preset: 'thumbnail' }));
    expect(thumb.url).toBe(`${stack.urls.api}/cdn/${organizationId}/${environment.id}/${ids[0]}@thumbnail`);
    const webp = ok(await session.call('get_image_url', { imageId: ids[0], width: 32, format: 'webp' }));
    expect(webp.url).toBe(`${stack.urls.api}/cdn/${organizationId}/${environment.id}/${ids[0]}?width=32&format=webp`);
    const response = await fetch(webp.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect((await fetch(thumb.url)).status).toBe(200);
  });

  it('list_images pages with a cursor and filters', async () => {
    const first = ok(await session.call('list_images', { limit: 1 }));
    expect(first.images).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = ok(await session.call('list_images', { limit: 1, cursor: first.nextCursor }));
    expect(second.images[0].id).not.toBe(first.images[0].id);
    const heroes = ok(await session.call('list_images', { purpose: 'hero', status: 'READY' }));
    expect(heroes.images.map((i: { id: string }) => i.id)).toContain(ids[0]);
    expect(heroes.images.map((i: { id: string }) => i.id)).not.toContain(ids[1]);
  });

  it('retrieve_image of an unknown id is a tool error naming the id', async () => {
    const result = await session.call('retrieve_image', { imageId: 'img_doesnotexist' });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('img_doesnotexist');
  });

  it('create_bulk_image_download is built by the api worker; retrieve_bulk_image_download waits for the zip', async () => {
    const created = ok(await session.call('create_bulk_image_download', { imageIds: ids }));
    expect(created.download).toMatchObject({ id: expect.stringMatching(/^dl_/), imageCount: 2, downloadUrl: null });
    const done = ok(await session.call('retrieve_bulk_image_download', { downloadId: created.download.id, waitUntilReady: true }));
    expect(done).toMatchObject({ timedOut: false, download: { status: 'READY' } });
    expect(done.download.downloadUrl.startsWith(`${stack.urls.api}/`)).toBe(true);
    const zip = Buffer.from(await (await fetch(done.download.downloadUrl)).arrayBuffer());
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.length).toBe(done.download.sizeBytes);
  });

  it('create_client_token makes a publishable ck_ key that apps/api accepts', async () => {
    const key = ok(await session.call('create_client_token', { name: `site ${era}`, allowedOrigins: ['https://shop.example'] }));
    expect(key).toMatchObject({ clientKey: expect.stringMatching(/^ck_/), environmentId: environment.id, apiBaseUrl: `${stack.urls.api}/api/v1` });
    const response = await fetch(`${key.apiBaseUrl}/images/${ids[0]}`, { headers: { authorization: `Bearer ${key.clientKey}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(ids[0]);
  });

  it('get_usage and fetch_metrics report the uploads', async () => {
    const usage = ok(await session.call('get_usage'));
    expect(usage.imageCount).toBeGreaterThanOrEqual(2);
    expect(usage.uploads).toBeGreaterThanOrEqual(2);
    expect(usage.limits.maxImages).toBe(100_000);
    const metrics = ok(await session.call('fetch_metrics', { granularity: 'day' }));
    expect(metrics.environmentId).toBe(environment.id);
    expect(metrics.points.length).toBeGreaterThanOrEqual(7);
    expect(metrics.totals.uploads).toBeGreaterThanOrEqual(2);
  });

  it('get_server_token_dashboard_link points at the dashboard, never at a key', async () => {
    const link = ok(await session.call('get_server_token_dashboard_link'));
    expect(link.url).toBe(`${stack.urls.auth}/dashboard/keys?environment=${environment.id}`);
    expect(JSON.stringify(link)).not.toMatch(/sk_/);
  });
});

describe.each(['2025', '2026'] as const)('Environment chosen when first needed, %s era', (era) => {
  it('an image tool asks for the Environment, links the answer and continues', async () => {
    const asked: string[] = [];
    const session = await open(era, await stack.authorize(alice, { environment: '' }), ({ message, requestedSchema }) => {
      asked.push(message);
      const options = requestedSchema.properties.environment.oneOf as { const: string; title: string }[];
      return { action: 'accept', content: { environment: options.find((o) => o.title.includes('production'))!.const } };
    });
    expect(ok(await session.call('whoami')).linkedEnvironment).toBeNull();
    const listed = ok(await session.call('list_images'));
    expect(asked).toHaveLength(1);
    expect(listed.images).toEqual([]);
    expect(ok(await session.call('whoami')).linkedEnvironment).toMatchObject({ slug: 'production' });
    ok(await session.call('get_usage'));
    expect(asked).toHaveLength(1);
    await session.close();
  });
});

describe('access boundaries with real tokens', () => {
  it("a token of another organization's user never reaches Alice's images", async () => {
    const alices = await open('2026', aliceToken);
    const image = ok(await alices.call('upload_image_via_url', { url: `${originUrl}/pictures/sunset.png` })).image;
    const aliceOrganization = ok(await alices.call('whoami')).organization.id;
    await alices.close();

    const intruder = await open('2025', await stack.authorize(mallory));
    const retrieved = await intruder.call('retrieve_image', { imageId: image.id });
    expect(retrieved.isError).toBe(true);
    expect(text(retrieved)).toContain(`No image ${image.id}`);
    const bulk = await intruder.call('create_bulk_image_download', { imageIds: [image.id] });
    expect(bulk.isError).toBe(true);
    expect(text(bulk)).toContain(image.id);
    expect(ok(await intruder.call('list_images')).images).toEqual([]);
    // The URL is computed in the intruder's own organization and Environment: the CDN has nothing there.
    const url = ok(await intruder.call('get_image_url', { imageId: image.id })).url;
    expect(url).not.toContain(aliceOrganization);
    expect(url).not.toContain(image.environmentId);
    expect((await fetch(url)).status).toBe(404);
    await intruder.close();
  });

  it('a read-only connection (write unchecked at consent) neither sees nor can call write tools', async () => {
    const readOnly = await open('2025', await stack.authorize(alice, { environment: 'first', write: false }));
    const listed = await readOnly.listTools();
    expect(listed.sort()).toEqual(ALL_TOOLS.filter((t) => !WRITE_TOOLS.includes(t)).sort());
    await expect(readOnly.call('upload_image', { fileName: 'a.png', contentLength: 10 })).rejects.toThrow();
    expect(readOnly.statuses.at(-1)).toBe(403);
    expect(ok(await readOnly.call('get_usage')).period).toMatch(/^\d{4}-\d{2}$/);
    await readOnly.close();
  });

  it('revoking the connection in the dashboard makes the next MCP call fail with 401', async () => {
    const events: ConnectionEvent[] = [];
    const stopListening = await subscribeToConnectionEvents(stack.database, (event) => events.push(event));
    try {
      const session = await open('2026', await stack.authorize(alice));
      const me = ok(await session.call('whoami'));
      await revokeConnection(stack.database.db, { userId: me.user.id, connectionId: me.connection.id });
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.type === 'revoked' && e.connectionId === me.connection.id)) {
        if (Date.now() > deadline) throw new Error('no revoked event');
        await new Promise((r) => setTimeout(r, 20));
      }
      await expect(session.call('list_images')).rejects.toThrow();
      expect(session.statuses.at(-1)).toBe(401);
      await session.close().catch(() => {});
    } finally {
      await stopListening();
    }
  });
});
