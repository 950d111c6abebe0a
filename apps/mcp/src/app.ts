import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import { tools as allTools, type AnyToolDefinition } from '@frameport/image-tools';
import { createDownloadQueue, createImageContext } from '@frameport/platform';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';
import { authenticate } from './auth/authenticate.ts';
import { ConnectionCache } from './auth/connection-cache.ts';
import { createTokenVerifier } from './auth/token-verifier.ts';
import type { McpConfig } from './config.ts';
import { mcpEndpoint } from './mcp-endpoint.ts';
import { buildMcpServer } from './mcp-server.ts';
import { principalKey, requestInfoOf } from './request-info.ts';
import { protectedResourceRoutes } from './protected-resource.ts';

export interface McpAppOptions {
  config: McpConfig;
  database: DbHandle;
  /** The tool catalog; the real one unless a test adds fixtures. */
  tools?: readonly AnyToolDefinition[];
}

export async function mcpApp(app: FastifyInstance, options: McpAppOptions): Promise<void> {
  const { config, database } = options;
  const tools = options.tools ?? allTools;
  await app.register(jsonErrors);
  await app.register(health, { check: () => database.ping() });
  await app.register(protectedResourceRoutes, { resourceUrl: config.resourceUrl, issuer: config.token.issuer });

  const connections = new ConnectionCache({ database, onError: (error) => app.log.warn({ err: error }, 'connection touch failed') });
  await connections.start();
  app.addHook('onClose', () => connections.stop());

  // requestState is sealed with the shared key and bound to the principal (2026-07-28 basic/patterns/mrtr,
  // server requirements 4–5): a state minted for one user's grant is refused for any other.
  const codec = createRequestStateCodec<unknown>({
    key: config.requestStateSecret,
    ttlSeconds: 600,
    bind: (ctx) => `${ctx.mcpReq.method}\u0000${principalKey(requestInfoOf(ctx.http?.authInfo).principal)}`,
  });

  // Tools enqueue bulk downloads; only apps/api works the queue (one worker per process under the
  // launcher), so this queue runs no maintenance and starts only when a job is first enqueued.
  const downloads = createDownloadQueue(database.db, app.log, { maintenance: false });
  const images = { ...(await createImageContext(database.db, config.platform)), downloads };
  app.addHook('onClose', async () => {
    await downloads.stop();
    await images.deliveries.close();
  });

  const verify = createTokenVerifier({ jwksUrl: config.token.jwksUrl, issuer: config.token.issuer, audience: config.resourceUrl });
  await app.register(mcpEndpoint, {
    resourceUrl: config.resourceUrl,
    instanceId: config.instanceId,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    sessionIdleMs: config.sessionIdleMs,
    bodyLimitBytes: config.bodyLimitBytes,
    tools,
    authenticate: (authorization) => authenticate(authorization, verify, connections),
    onRevoked: (listener) => connections.onChange((event) => event.type === 'revoked' && listener(event.grantId)),
    buildServer: (principal) =>
      buildMcpServer({ db: database.db, images, tools, codec, urls: { dashboard: config.urls.dashboard, api: config.urls.api }, log: app.log }, principal),
  });
}
