/**
 * From a fresh start, as users connect: the product started the way README says (`pnpm start`,
 * embedded defaults, free ports), then three real agents complete the whole flow with no person:
 * mcp-remote (its own CLI, the browser step done by headless Chromium through `$BROWSER`), the v1
 * SDK client (2025-era MCP, Dynamic Client Registration) and the v2 client (2026-07-28, a Client
 * ID Metadata Document served over https). Each calls whoami, uploads an image from a URL, waits
 * for it, fetches a preset CDN URL and a bulk-download zip, finds its connection on the Authorized
 * Connections page, and is cut off when the person revokes it there.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@frameport/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from './auth-flow-driver.ts';
import {
  browserScript,
  connectMcpRemoteProxy,
  connectV1,
  connectV2,
  Dashboard,
  demoLogin,
  mcpRemoteState,
  runMcpRemoteClient,
  type Agent,
  type Exchange,
} from './support/agents.ts';
import { freePort } from './support/free-port.ts';
import { launchFrameport, type LaunchedFrameport } from './support/launcher.ts';
import { imageFlow, makePng } from './support/image-flow.ts';
import { startLocalHttps, type LocalHttps } from './support/local-https.ts';

interface Whoami {
  user: { email: string };
  linkedEnvironment: { name: string } | null;
  connection: { id: string };
  client: { id: string; name: string; kind: 'dcr' | 'cimd' };
  scopes: string[];
}

let dir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let local: LocalHttps;
let frameport: LaunchedFrameport;
let person: Person;
let dashboard: Dashboard;
const SOURCE = { width: 400, height: 200 };
let source: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frameport-e2e-'));
  // On the PostgreSQL pass the product gets its own database on that server; otherwise PGlite files.
  database = process.env.FRAMEPORT_TEST_DATABASE_URL ? await createTestDatabase() : undefined;
  local = await startLocalHttps(dir);
  local.route(
    '/agent/client.json',
    'application/json',
    JSON.stringify({
      client_id: `${local.origin}/agent/client.json`,
      client_name: 'E2E metadata-document agent',
      client_uri: local.origin,
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
    { 'cache-control': 'max-age=60' },
  );
  // The images agents upload "from the web": one URL per agent.
  source = await makePng(SOURCE.width, SOURCE.height);
  for (const agent of ['mcp-remote', 'v1', 'v2']) local.route(`/images/${agent}.png`, 'image/png', source);
  frameport = await launchFrameport({
    FRAMEPORT_DATA_DIR: join(dir, 'data'),
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
    // Development-only allowances for "the internet" on this machine; both are off by default.
    NODE_EXTRA_CA_CERTS: local.caFile,
    AUTH_DEV_CIMD_ALLOWED_ORIGINS: local.origin,
    FETCH_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
  });
  person = demoLogin(frameport.output());
  dashboard = await Dashboard.logIn(frameport.urls.auth, person);
});

afterAll(async () => {
  if (frameport) expect(await frameport.stop(), frameport.output()).toBe(true);
  await local?.close();
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

/** upload_image_via_url → retrieve_image → get_image_url (fetched) → bulk download (fetched, unzipped). */
async function images(agent: Agent, name: string) {
  // Fetched by the platform over https from 127.0.0.1 (FETCH_ALLOW_CIDRS, NODE_EXTRA_CA_CERTS).
  const url = `${local.origin.replace('localhost', '127.0.0.1')}/images/${name}.png`;
  const { cdn } = await imageFlow(agent, { url, fileName: `${name}.png`, source, ...SOURCE });
  expect(cdn.url.startsWith(frameport.urls.api)).toBe(true);
}

async function whoami(agent: Agent): Promise<Whoami> {
  const result = await agent.callTool('whoami');
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as Whoami;
}

/** The person sees the connection on the dashboard, with its client and Environment. */
async function expectListed(me: Whoami, environment: string) {
  const row = await dashboard.row(me.connection.id);
  expect(row, 'connection on the Authorized Connections page').toBeDefined();
  expect(row).toContain(me.client.name);
  expect(row).toMatch(new RegExp(`<option value="env_[a-z0-9]+" selected>${environment}</option>`));
}

async function revokeOnDashboard(me: Whoami) {
  const page = await dashboard.revoke(me.connection.id);
  expect(page).toContain('Connection revoked');
  expect(page).not.toContain(`data-connection-id="${me.connection.id}"`);
}

const tokenCalls = (log: Exchange[]) => log.filter((e) => e.url.endsWith('/oauth/token'));

/** Revoked on the dashboard: the next call gets 401 from /mcp, and the refresh that follows invalid_grant. */
async function expectRefusedAfterRevocation(agent: Agent, me: Whoami) {
  await revokeOnDashboard(me);
  const before = agent.log.length;
  await expect(agent.callTool('whoami')).rejects.toThrow();
  const after = agent.log.slice(before);
  expect(after.find((e) => e.url === frameport.urls.mcp)?.status).toBe(401);
  expect(tokenCalls(after).map((e) => e.oauthError)).toContain('invalid_grant');
}

describe('agents connect to a freshly started Frameport', () => {
  it('mcp-remote: logs in through $BROWSER (headless Chromium), then works with images as a stdio proxy until revoked', async () => {
    const configDir = join(dir, 'mcp-remote');
    const browserLog = join(dir, 'browser.log');
    const options = {
      mcpUrl: frameport.urls.mcp,
      configDir,
      callbackPort: await freePort(),
      env: {
        BROWSER: await browserScript(dir, browserLog),
        FRAMEPORT_E2E_BROWSER_LOG: browserLog,
        FRAMEPORT_E2E_EMAIL: person.email,
        FRAMEPORT_E2E_PASSWORD: person.password,
        FRAMEPORT_E2E_ENVIRONMENT: 'Development',
      },
    };
    const run = await runMcpRemoteClient(options);
    const log = await readFile(browserLog, 'utf8').catch(() => '');
    expect(run.code, `${run.output}\n--- browser ---\n${log}`).toBe(0);
    expect(run.output).toContain('Connected successfully!');
    expect(run.output).toContain('"name": "whoami"');
    // The browser landed on mcp-remote's loopback callback (it may still be closing as the CLI exits).
    await expect
      .poll(() => readFile(browserLog, 'utf8'), { timeout: 10_000 })
      .toMatch(new RegExp(`callback http://localhost:${options.callbackPort}/oauth/callback\\?code=`));

    // Desktop agents run mcp-remote as their stdio server; it reuses the stored tokens.
    const proxy = await connectMcpRemoteProxy(options);
    let me: Whoami;
    try {
      me = await whoami(proxy);
      await images(proxy, 'mcp-remote');
    } finally {
      await proxy.close();
    }
    expect(me).toMatchObject({ user: { email: person.email }, linkedEnvironment: { name: 'Development' }, client: { kind: 'dcr' } });
    expect(me.scopes).toEqual(expect.arrayContaining(['images:read', 'images:write']));
    await expectListed(me, 'Development');

    await revokeOnDashboard(me);
    const state = await mcpRemoteState(configDir);
    const call = await fetch(frameport.urls.mcp, {
      method: 'POST',
      headers: { authorization: `Bearer ${state.accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(call.status).toBe(401);
    const refresh = await fetch(`${frameport.urls.auth}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: state.refreshToken, client_id: state.clientId }).toString(),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  }, 120_000);

  it('v1 SDK client (2025-era, DCR): authorizes, works with images, and is refused once revoked', async () => {
    const agent = await connectV1({
      mcpUrl: frameport.urls.mcp,
      issuer: frameport.urls.auth,
      person,
      consent: { environment: 'first' },
      callbackPort: await freePort(),
    });
    const me = await whoami(agent);
    expect(me).toMatchObject({ client: { name: 'E2E v1 agent', kind: 'dcr' }, linkedEnvironment: { name: 'Development' } });
    await images(agent, 'v1');
    await expectListed(me, 'Development');

    await expectRefusedAfterRevocation(agent, me);
    await agent.close();
  }, 60_000);

  it('v2 client (2026-07-28, Client ID Metadata Document over https): authorizes, works with images, and is refused once revoked', async () => {
    const clientMetadataUrl = `${local.origin}/agent/client.json`;
    const agent = await connectV2({
      mcpUrl: frameport.urls.mcp,
      issuer: frameport.urls.auth,
      person,
      consent: { environment: 'first' },
      callbackPort: await freePort(),
      clientMetadataUrl,
    });
    // The authorization server fetched the document from the https origin (no registration call).
    expect(local.requests).toContain('/agent/client.json');
    expect(agent.log.some((e) => e.url.endsWith('/oauth/register'))).toBe(false);
    const me = await whoami(agent);
    expect(me).toMatchObject({ client: { id: clientMetadataUrl, name: 'E2E metadata-document agent', kind: 'cimd' } });
    await images(agent, 'v2');
    await expectListed(me, 'Development');

    await expectRefusedAfterRevocation(agent, me);
    await agent.close();
  }, 60_000);
});
