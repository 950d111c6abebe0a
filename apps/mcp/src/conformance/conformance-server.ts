/**
 * A Frameport MCP instance built only for the conformance suite: the real /mcp endpoint (both
 * eras, Host/Origin guard, sessions, body parsing) and the real tool registration, with a fixed
 * principal in place of bearer authentication — the suite's server scenarios carry no token.
 * This is a test composition, not a configuration switch: a deployment always builds app.ts.
 */
import type { DbHandle } from '@frameport/db';
import { tools, type Principal } from '@frameport/image-tools';
import { createImageContext, loadPlatformConfig } from '@frameport/platform';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import Fastify from 'fastify';
import { mcpEndpoint } from '../mcp-endpoint.ts';
import { buildMcpServer } from '../mcp-server.ts';
import { principalKey, requestInfoOf } from '../request-info.ts';
import { registerConformanceFixtures } from './fixture-tools.ts';

export async function startConformanceServer(database: DbHandle, principal: Principal): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const codec = createRequestStateCodec<unknown>({
    key: 'conformance-request-state-secret-0123456789',
    bind: (ctx) => `${ctx.mcpReq.method}\u0000${principalKey(requestInfoOf(ctx.http?.authInfo).principal)}`,
  });
  const resourceUrl = 'http://localhost/mcp';
  // The scenarios call no image tool; a context on a scratch directory satisfies the tools' services.
  const images = await createImageContext(
    database.db,
    loadPlatformConfig({ FRAMEPORT_SIGNING_SECRET: 'conformance-signing-secret-0123456789abcdef' }, { dataDir: join(tmpdir(), 'frameport-conformance'), apiPublicUrl: 'http://localhost' }),
  );
  await app.register(mcpEndpoint, {
    resourceUrl,
    instanceId: 'conformance',
    allowedHosts: ['localhost', '127.0.0.1'],
    allowedOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
    sessionIdleMs: 60_000,
    bodyLimitBytes: 1_048_576,
    tools,
    authenticate: async () => ({
      ok: true,
      principal,
      raw: 'conformance-fixed-principal',
      token: { subject: principal.userId, grantId: principal.grantId, clientId: principal.clientId, scopes: [...principal.scopes], expiresAt: 4_102_444_800 },
    }),
    buildServer: (p) => {
      const server = buildMcpServer(
        { db: database.db, images, tools, codec, urls: { dashboard: 'http://localhost/dashboard', api: 'http://localhost' }, log: app.log },
        p,
      );
      registerConformanceFixtures(server, codec);
      return server;
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { url: `http://localhost:${port}/mcp`, close: () => app.close() };
}
