/**
 * Test infrastructure for the MCP app's end-to-end tests (not imported by the app): a local
 * ES256 authorization-server stand-in (key, JWKS over HTTP, token minting), a user with a
 * connection, and listening MCP instances on free ports.
 */
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { startServer, type ListeningServer } from '@frameport/http-kit';
import type { AnyToolDefinition } from '@frameport/image-tools';
import { createConnection, signUp, type Connection, type SignUpResult } from '@frameport/platform';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { mcpApp } from './app.ts';
import { GRANT_ID_CLAIM } from './auth/token-verifier.ts';
import { loadMcpConfig } from './config.ts';

export const ISSUER = 'http://localhost:4000';
export const RESOURCE = 'http://localhost:4001/mcp';

export interface Issuer {
  jwksUrl: string;
  kid: string;
  privateKey: CryptoKey;
  mint(claims: TokenClaims, options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface TokenClaims {
  sub: string;
  grantId: string;
  clientId: string;
  scope: string;
}

export interface MintOptions {
  audience?: string;
  issuer?: string;
  expiresIn?: string | number;
  typ?: string;
  key?: CryptoKey;
  kid?: string;
}

export async function startIssuer(): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = 'test-key-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    jwksUrl: `http://127.0.0.1:${address.port}/oauth/jwks`,
    kid,
    privateKey,
    mint: (claims, options = {}) =>
      new SignJWT({ scope: claims.scope, client_id: claims.clientId, [GRANT_ID_CLAIM]: claims.grantId })
        .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'at+jwt', kid: options.kid ?? kid })
        .setIssuer(options.issuer ?? ISSUER)
        .setAudience(options.audience ?? RESOURCE)
        .setSubject(claims.sub)
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(options.key ?? privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let accountCounter = 0;

export interface TestAccount extends SignUpResult {
  connection: Connection;
  claims: TokenClaims;
}

export async function createAccount(
  database: DbHandle,
  options: { scopes?: string[]; environmentId?: string | null; clientName?: string } = {},
): Promise<TestAccount> {
  accountCounter += 1;
  const account = await signUp(database.db, {
    email: `user${accountCounter}-${crypto.randomUUID().slice(0, 8)}@example.test`,
    password: 'correct horse battery staple',
    name: `User ${accountCounter}`,
  });
  const scopes = options.scopes ?? ['images:read', 'images:write'];
  const connection = await createConnection(database.db, {
    grantId: `grant-${crypto.randomUUID()}`,
    userId: account.user.id,
    organizationId: account.organization.id,
    clientId: 'client-test',
    clientName: options.clientName ?? 'Test Client',
    clientKind: 'dcr',
    environmentId: options.environmentId === undefined ? null : options.environmentId,
    scopes,
  });
  return { ...account, connection, claims: { sub: account.user.id, grantId: connection.grantId, clientId: 'client-test', scope: scopes.join(' ') } };
}

export interface McpInstance extends ListeningServer {
  mcpUrl: string;
}

export async function startMcp(
  database: DbHandle,
  issuer: Issuer,
  options: { instanceId?: string; tools?: readonly AnyToolDefinition[]; env?: Record<string, string> } = {},
): Promise<McpInstance> {
  const config = loadMcpConfig({
    AUTH_PUBLIC_URL: ISSUER,
    MCP_PUBLIC_URL: 'http://localhost:4001',
    MCP_JWKS_URL: issuer.jwksUrl,
    MCP_REQUEST_STATE_SECRET: 'test-request-state-secret-shared-by-all-instances',
    MCP_INSTANCE_ID: options.instanceId ?? 'a',
    // The platform's signing key and local storage stay out of the working tree.
    FRAMEPORT_SIGNING_SECRET: 'test-signing-secret-shared-with-the-api-0123',
    FRAMEPORT_DATA_DIR: join(tmpdir(), 'frameport-mcp-tests'),
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const server = await startServer({
    name: 'mcp',
    plugin: mcpApp,
    options: { config, database, ...(options.tools ? { tools: options.tools } : {}) },
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  return { ...server, mcpUrl: `${server.url}/mcp` };
}

export { createTestDatabase };
