import { createServer } from 'node:net';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { startServer, type ListeningServer } from '@frameport/http-kit';
import { authApp, type AuthAppOptions } from './app.ts';
import { loadAuthConfig } from './config.ts';

/** A free TCP port on 127.0.0.1 (the issuer must name its port before the server listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestAuthServer {
  url: string;
  /** The canonical MCP resource URL the server issues tokens for. */
  resource: string;
  database: DbHandle;
  server: ListeningServer;
  close(): Promise<void>;
}

/**
 * The auth app listening on 127.0.0.1 with a fresh test database (PGlite, or PostgreSQL on the
 * test command's second pass). Test support only: production starts through server.ts or the launcher.
 */
export async function startTestAuthServer(
  options: { mcpOrigin?: string; env?: Record<string, string>; database?: DbHandle } & Pick<
    AuthAppOptions,
    'metadataFetch' | 'allowPrivateMetadataHosts'
  > = {},
): Promise<TestAuthServer> {
  // A given database belongs to the caller (to restart an app on the same data); it stays open.
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadAuthConfig({
    HOST: '127.0.0.1',
    AUTH_PORT: String(port),
    AUTH_PUBLIC_URL: url,
    MCP_PUBLIC_URL: options.mcpOrigin ?? 'http://127.0.0.1:4999',
    LOG_LEVEL: 'silent',
    // Suites register many clients from one address; the rate limit has its own test.
    AUTH_REGISTRATION_RATE_LIMIT: '10000',
    AUTH_LOGIN_RATE_LIMIT: '10000',
    ...options.env,
  });
  const server = await startServer({
    name: 'auth',
    plugin: authApp,
    options: { config, database, metadataFetch: options.metadataFetch, allowPrivateMetadataHosts: options.allowPrivateMetadataHosts },
    host: '127.0.0.1',
    port,
    logLevel: 'silent',
  });
  return {
    url,
    resource: config.mcpResource,
    database,
    server,
    async close() {
      await server.close();
      if (ownDatabase) await database.close();
    },
  };
}
