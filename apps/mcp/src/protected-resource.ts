import type { FastifyInstance } from 'fastify';
import { ALL_SCOPES } from './auth/challenge.ts';

/**
 * RFC 9728 protected resource metadata, served at the path-inserted location for `/mcp` (§3.1) and
 * at the root location that `claude mcp login` probes (INTEROP). Public, so any origin may read it.
 */
export async function protectedResourceRoutes(app: FastifyInstance, options: { resourceUrl: string; issuer: string }): Promise<void> {
  const document = {
    resource: options.resourceUrl,
    authorization_servers: [options.issuer],
    scopes_supported: [...ALL_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Frameport',
  };
  const schema = {
    response: {
      200: {
        type: 'object',
        properties: {
          resource: { type: 'string' },
          authorization_servers: { type: 'array', items: { type: 'string' } },
          scopes_supported: { type: 'array', items: { type: 'string' } },
          bearer_methods_supported: { type: 'array', items: { type: 'string' } },
          resource_name: { type: 'string' },
        },
      },
    },
  };
  for (const url of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
    app.get(url, { schema }, async (_request, reply) => {
      reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300');
      return document;
    });
  }
}
