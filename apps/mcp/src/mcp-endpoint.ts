import cors from '@fastify/cors';
import type { AnyToolDefinition, Principal } from '@frameport/image-tools';
import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest, type AuthInfo, type McpServer } from '@modelcontextprotocol/server';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticationResult } from './auth/authenticate.ts';
import { ALL_SCOPES, bearerChallenge, protectedResourceMetadataUrl } from './auth/challenge.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { requestInfoOf, toAuthInfo } from './request-info.ts';

export interface McpEndpointOptions {
  resourceUrl: string;
  instanceId: string;
  allowedHosts: string[];
  allowedOrigins: string[];
  sessionIdleMs: number;
  bodyLimitBytes: number;
  tools: readonly AnyToolDefinition[];
  /** Bearer token → principal (auth/authenticate.ts in the app; the conformance harness fixes one). */
  authenticate: (authorization: string | undefined) => Promise<AuthenticationResult>;
  buildServer: (principal: Principal) => McpServer;
  /** Revocations to act on at once: the grant's 2025 sessions are closed. */
  onRevoked?: (listener: (grantId: string) => void) => void;
}

const jsonRpcError = (code: number, message: string) => ({ jsonrpc: '2.0' as const, error: { code, message }, id: null });

/** Host header → hostname without port (`[::1]:4001` → `[::1]`). */
function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/** The write tools a principal may not call, among the tools/call requests of a body (single or batch). */
function forbiddenToolCall(body: unknown, tools: readonly AnyToolDefinition[], principal: Principal): AnyToolDefinition | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    if (method !== 'tools/call' || typeof params?.name !== 'string') continue;
    const tool = tools.find((t) => t.name === params.name);
    if (tool && !principal.scopes.includes(tool.requiredScope)) return tool;
  }
  return undefined;
}

/**
 * `/mcp`: one endpoint, both protocol eras. Every request passes the Host/Origin guard and bearer
 * authentication; then 2026-07-28 requests (carrying the per-request `_meta` envelope) go to the
 * SDK's stateless handler and everything else (initialize, Mcp-Session-Id, GET stream, DELETE) to
 * the sessionful 2025 transports.
 */
export async function mcpEndpoint(app: FastifyInstance, options: McpEndpointOptions): Promise<void> {
  const resourceMetadataUrl = protectedResourceMetadataUrl(options.resourceUrl);
  const allowedHosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const allowedOrigins = new Set(options.allowedOrigins);
  // `scheme://host:*` admits any port of that host (local development and test harnesses).
  const anyPortOrigins = options.allowedOrigins.filter((o) => o.endsWith(':*')).map((o) => o.slice(0, -2));
  const originAllowed = (origin: string) => {
    if (allowedOrigins.has(origin)) return true;
    try {
      const url = new URL(origin);
      return anyPortOrigins.includes(`${url.protocol}//${url.hostname}`);
    } catch {
      return false;
    }
  };

  const modern = createMcpHandler((ctx) => options.buildServer(requestInfoOf(ctx.authInfo).principal), {
    legacy: 'reject',
    onerror: (error) => app.log.debug({ err: error }, 'MCP request rejected'),
  });
  const modernNode = toNodeHandler(modern, {
    maxRequestBodySize: options.bodyLimitBytes,
    onerror: (error) => app.log.error({ err: error }, 'MCP handler failed'),
  });
  const legacy = new LegacySessions({
    instanceId: options.instanceId,
    idleMs: options.sessionIdleMs,
    maxRequestBodySize: options.bodyLimitBytes,
    build: options.buildServer,
    log: app.log,
  });
  options.onRevoked?.((grantId) => legacy.closeGrant(grantId));
  app.addHook('onClose', async () => {
    await legacy.closeAll();
    await modern.close();
  });

  // DNS-rebinding protection (spec 2025-11-25 basic/transports §Security Warning): a page on another
  // origin that rebinds its name to this server is refused before anything else runs.
  app.addHook('onRequest', async (request, reply) => {
    const hostname = hostnameOf(request.headers.host);
    if (!hostname || !allowedHosts.has(hostname.toLowerCase())) {
      return reply.code(403).send(jsonRpcError(-32000, 'Forbidden: this Host is not allowed.'));
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(origin)) {
      return reply.code(403).send(jsonRpcError(-32000, 'Forbidden: this Origin is not allowed.'));
    }
  });

  // Browser-based clients read these headers across origins.
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && originAllowed(origin)),
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name'],
    exposedHeaders: ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'],
    maxAge: 600,
  });

  // The body is parsed here, not by fastify's JSON parser, so a malformed body gets a JSON-RPC error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.bodyLimitBytes }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(jsonRpcError(-32600, `Request body larger than ${options.bodyLimitBytes} bytes.`));
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send(jsonRpcError(-32600, 'Invalid request.'));
    }
    request.log.error({ err: error }, 'MCP endpoint failed');
    return reply.code(500).send(jsonRpcError(-32603, 'Internal error.'));
  });

  const challenge = (reply: FastifyReply, status: 401 | 403, error: string | undefined, description: string) =>
    reply
      .code(status)
      .header(
        'www-authenticate',
        bearerChallenge({ resourceMetadataUrl, scopes: ALL_SCOPES, error: error as 'invalid_token' | undefined, description: error ? description : undefined }),
      )
      .send({ error: error ?? 'invalid_token', error_description: description });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await options.authenticate(request.headers.authorization);
    if (!auth.ok) return challenge(reply, 401, auth.error, auth.description);
    const principal = auth.principal;

    let body: unknown;
    if (request.method === 'POST') {
      try {
        body = JSON.parse(typeof request.body === 'string' ? request.body : '');
      } catch {
        return reply.code(400).send(jsonRpcError(-32700, 'Parse error: the request body is not valid JSON.'));
      }
      // Step-up (spec 2025-11-25 basic/authorization §Scope Challenge Handling; RFC 6750 §3.1).
      const forbidden = forbiddenToolCall(body, options.tools, principal);
      if (forbidden) {
        return challenge(reply, 403, 'insufficient_scope', `${forbidden.name} needs the ${forbidden.requiredScope} scope; authorize again with it.`);
      }
    }

    const raw = request.raw as typeof request.raw & { auth?: AuthInfo };
    raw.auth = toAuthInfo({
      principal,
      ip: request.ip ?? null,
      userAgent: request.headers['user-agent'] ?? null,
      token: auth.raw,
      expiresAt: auth.token.expiresAt,
      resourceUrl: options.resourceUrl,
      resourceMetadataUrl,
    });

    // From here the SDK writes the response; keep the headers fastify plugins (CORS) already set.
    reply.hijack();
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | string[]);
    }
    try {
      const isModern = request.method === 'POST' && !(await isLegacyRequest(await toWebRequest(raw, body), body));
      if (isModern) await modernNode(raw, reply.raw, body);
      else await legacy.handle(raw, reply.raw, body, principal);
    } catch (error) {
      request.log.error({ err: error }, 'MCP transport failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify(jsonRpcError(-32603, 'Internal error.')));
      } else if (!reply.raw.writableEnded) {
        reply.raw.end();
      }
    }
  };

  app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler });
  app.route({
    method: ['PUT', 'PATCH'],
    url: '/mcp',
    handler: async (_request, reply) => reply.code(405).header('allow', 'GET, POST, DELETE').send(jsonRpcError(-32000, 'Method not allowed.')),
  });
}
