/**
 * Test support for the MCP tool suites: apps/auth, apps/api and apps/mcp listening on free ports
 * over one database and one data directory, configured the way the launcher configures them
 * (the signing key is the data directory's file, shared by api and mcp). Access tokens come from
 * the real authorization flow: the v2 SDK's `auth()` drives discovery, registration and the token
 * exchange, and the flow driver plays the person (log-in, consent) over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { apiApp, loadApiConfig } from '@frameport/api';
import { startTestAuthServer, type TestAuthServer } from '@frameport/auth/testing';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { startServer, type ListeningServer } from '@frameport/http-kit';
import { loadMcpConfig, mcpApp } from '@frameport/mcp';
import { auth as authV2 } from '@modelcontextprotocol/client';
import { completeAuthorization, type ConsentChoice, type Person } from './auth-flow-driver.ts';
import { freePort } from './support/free-port.ts';

export interface McpStack {
  database: DbHandle;
  auth: TestAuthServer;
  urls: { auth: string; api: string; mcp: string };
  /** A real access token for `person`, from a new authorization (a new connection). */
  authorize(person: Person, choice?: ConsentChoice): Promise<string>;
  close(): Promise<void>;
}

export async function startMcpStack(options: { env?: Record<string, string> } = {}): Promise<McpStack> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'frameport-mcp-stack-'));
  const [mcpPort, apiPort] = [await freePort(), await freePort()];
  const mcpOrigin = `http://127.0.0.1:${mcpPort}`;
  const apiOrigin = `http://127.0.0.1:${apiPort}`;
  const servers: ListeningServer[] = [];
  const auth = await startTestAuthServer({ mcpOrigin, database });
  const env = {
    HOST: '127.0.0.1',
    AUTH_PUBLIC_URL: auth.url,
    MCP_PORT: String(mcpPort),
    MCP_PUBLIC_URL: mcpOrigin,
    API_PORT: String(apiPort),
    API_PUBLIC_URL: apiOrigin,
    FRAMEPORT_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const apiConfig = loadApiConfig(env);
  servers.push(await startServer({ name: 'api', plugin: apiApp, options: { config: apiConfig, database }, host: '127.0.0.1', port: apiPort, logLevel: 'silent' }));
  const mcpConfig = loadMcpConfig(env);
  servers.push(await startServer({ name: 'mcp', plugin: mcpApp, options: { config: mcpConfig, database }, host: '127.0.0.1', port: mcpPort, logLevel: 'silent' }));
  const mcpUrl = `${mcpOrigin}/mcp`;

  let redirectPort = 48_200;
  return {
    database,
    auth,
    urls: { auth: auth.url, api: apiOrigin, mcp: mcpUrl },
    async authorize(person, choice = { environment: 'first' }) {
      const provider = new MemoryProvider(`http://127.0.0.1:${redirectPort++}/callback`);
      if ((await authV2(provider as never, { serverUrl: mcpUrl })) !== 'REDIRECT') throw new Error('expected a redirect to authorize');
      const { callback } = await completeAuthorization(provider.authorizationUrl!, auth.url, person, choice);
      const code = callback.searchParams.get('code');
      if (!code) throw new Error(`authorization ended without a code: ${callback}`);
      const outcome = await authV2(provider as never, { serverUrl: mcpUrl, authorizationCode: code, iss: callback.searchParams.get('iss') ?? undefined });
      if (outcome !== 'AUTHORIZED') throw new Error(`token exchange answered ${outcome}`);
      return provider.accessToken;
    },
    async close() {
      for (const server of servers.reverse()) await server.close().catch(() => {});
      await auth.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An OAuthClientProvider kept in memory (Dynamic Client Registration, public client). */
class MemoryProvider {
  authorizationUrl: URL | undefined;
  private info: unknown;
  private stored: { access_token: string } | undefined;
  private verifier = '';
  private discovery: unknown;
  readonly redirectUrl: string;
  constructor(redirectUrl: string) {
    this.redirectUrl = redirectUrl;
  }
  get clientMetadata() {
    return {
      client_name: 'Tools Test Agent',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info as never;
  }
  saveClientInformation(info: unknown) {
    this.info = info;
  }
  tokens() {
    return this.stored as never;
  }
  saveTokens(tokens: { access_token: string }) {
    this.stored = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
  get accessToken(): string {
    return this.stored!.access_token;
  }
}

/** A real, decodable RGB PNG built with node:zlib alone (a gradient, so every image differs by `seed`). */
export function makePng(width: number, height: number, seed = 0): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const raw = Buffer.alloc((1 + width * 3) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 8 + seed) & 255;
      raw[row + 2 + x * 3] = (y * 8) & 255;
      raw[row + 3 + x * 3] = (seed * 40) & 255;
    }
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
