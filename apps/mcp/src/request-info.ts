import type { Principal } from '@frameport/image-tools';
import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';

/** What the HTTP layer learned about one request, carried to tool handlers in `AuthInfo.extra`. */
export interface RequestInfo {
  principal: Principal;
  ip: string | null;
  userAgent: string | null;
}

export function toAuthInfo(info: RequestInfo & { token: string; expiresAt: number; resourceUrl: string; resourceMetadataUrl: string }): AuthInfo {
  return {
    token: info.token,
    clientId: info.principal.clientId,
    scopes: [...info.principal.scopes],
    expiresAt: info.expiresAt,
    resource: new URL(info.resourceUrl),
    resourceMetadataUrl: info.resourceMetadataUrl,
    extra: { frameport: { principal: info.principal, ip: info.ip, userAgent: info.userAgent } satisfies RequestInfo },
  };
}

export function requestInfoOf(authInfo: AuthInfo | undefined): RequestInfo {
  const info = (authInfo?.extra as { frameport?: RequestInfo } | undefined)?.frameport;
  // Only reachable if a route forgot authentication: fail closed.
  if (!info) throw new Error('MCP request reached a handler without an authenticated principal');
  return info;
}

export function requestInfoFromContext(ctx: ServerContext): RequestInfo {
  return requestInfoOf(ctx.http?.authInfo);
}

/** Principal identity for session and requestState binding: the grant and its user. */
export function principalKey(principal: Principal): string {
  return `${principal.userId}\u0000${principal.grantId}`;
}
