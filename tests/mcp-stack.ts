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
import { apiApp, loadApiConfig } from '@frameport/api';
import { startTestAuthServer, type TestAuthServer } from '@frameport/auth/testing';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { startServer, type ListeningServer } from '@frameport/http-kit';
import { loadMcpConfig, mcpApp } from '@frameport/mcp';
import { auth as authV2 } from '@modelcontextprotocol/client';
import { completeAuthorization, type ConsentChoice, type Person } from './auth-flow-driver.ts';
import { freePort } from './support/free-port.ts';
import { MemoryOAuthProvider } from './support/oauth-provider.ts';

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
      const provider = new MemoryOAuthProvider(`http://127.0.0.1:${redirectPort++}/callback`, 'Tools Test Agent');
      if ((await authV2(provider as never, { serverUrl: mcpUrl })) !== 'REDIRECT') throw new Error('expected a redirect to authorize');
      const { callback } = await completeAuthorization(provider.authorizationUrl!, auth.url, person, choice);
      const code = callback.searchParams.get('code');
      if (!code) throw new Error(`authorization ended without a code: ${callback}`);
      const outcome = await authV2(provider as never, { serverUrl: mcpUrl, authorizationCode: code, iss: callback.searchParams.get('iss') ?? undefined });
      if (outcome !== 'AUTHORIZED') throw new Error(`token exchange answered ${outcome}`);
      return provider.requireAccessToken();
    },
    async close() {
      for (const server of servers.reverse()) await server.close().catch(() => {});
      await auth.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}


