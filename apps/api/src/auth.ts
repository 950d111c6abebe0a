import { authenticateServerKey, clientKeyAllowsOrigin, findClientKey, PlatformError, type ClientKey, type EnvironmentScope } from '@frameport/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteAuth } from './routes/define.ts';
import type { ApiServices } from './services.ts';

export type Caller =
  | { kind: 'server'; scope: EnvironmentScope; keyId: string }
  | { kind: 'client'; scope: EnvironmentScope; clientKey: ClientKey };

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * `Authorization: Bearer sk_…` (Server API Key, one Environment) or `Bearer ck_…` (publishable
 * Client Key, only for the operations marked `server-or-client`, and only from its allowed
 * browser origins). RFC 6750 §3: a missing or bad token gets 401 with `WWW-Authenticate`.
 */
export async function authenticate(request: FastifyRequest, reply: FastifyReply, services: ApiServices, auth: RouteAuth): Promise<Caller> {
  const token = bearer(request);
  if (!token) {
    reply.header('www-authenticate', 'Bearer realm="frameport"');
    throw new PlatformError('unauthenticated', 'Send a Server API Key as "Authorization: Bearer sk_…".');
  }
  if (token.startsWith('ck_')) {
    const key = await findClientKey(services.ctx.db, token);
    if (!key) {
      reply.header('www-authenticate', 'Bearer realm="frameport", error="invalid_token"');
      throw new PlatformError('unauthenticated', 'This Client Key is unknown or revoked.');
    }
    const origin = request.headers.origin;
    if (!clientKeyAllowsOrigin(key, origin)) throw new PlatformError('forbidden', `The origin ${origin} is not allowed for this Client Key.`);
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (auth !== 'server-or-client') {
      throw new PlatformError('forbidden', 'A Client Key may only create standard uploads and read images by id. Use a Server API Key.');
    }
    return { kind: 'client', scope: { organizationId: key.organizationId, environmentId: key.environmentId }, clientKey: key };
  }
  const scope = await authenticateServerKey(services.ctx.db, token);
  if (!scope) {
    reply.header('www-authenticate', 'Bearer realm="frameport", error="invalid_token"');
    throw new PlatformError('unauthenticated', 'This API key is unknown or revoked.');
  }
  return { kind: 'server', scope: { organizationId: scope.organizationId, environmentId: scope.environmentId }, keyId: scope.keyId };
}
