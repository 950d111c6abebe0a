import type { Principal } from '@frameport/image-tools';
import type { ConnectionCache } from './connection-cache.ts';
import { InvalidTokenError, type VerifiedAccessToken } from './token-verifier.ts';

export type AuthenticationResult =
  | { ok: true; principal: Principal; token: VerifiedAccessToken; raw: string }
  | { ok: false; error?: 'invalid_token' | 'invalid_request'; description: string };

/**
 * Bearer token (header only: RFC 6750 §2.1; query and body tokens are refused) → principal.
 * The token must verify offline AND its grant's connection must exist, be unrevoked, and agree
 * with the token about user and client; the principal is built from the connection row.
 */
export async function authenticate(
  authorization: string | undefined,
  verify: (token: string) => Promise<VerifiedAccessToken>,
  connections: ConnectionCache,
): Promise<AuthenticationResult> {
  if (!authorization) return { ok: false, description: 'An access token is required.' };
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (!match) return { ok: false, error: 'invalid_request', description: 'Send the access token as "Authorization: Bearer <token>".' };
  const raw = match[1]!;
  let token: VerifiedAccessToken;
  try {
    token = await verify(raw);
  } catch (error) {
    if (error instanceof InvalidTokenError) return { ok: false, error: 'invalid_token', description: error.message };
    throw error;
  }
  const connection = await connections.get(token.grantId);
  if (!connection || connection.revokedAt) {
    return { ok: false, error: 'invalid_token', description: 'This connection has been revoked. Connect again.' };
  }
  if (connection.userId !== token.subject || connection.clientId !== token.clientId) {
    return { ok: false, error: 'invalid_token', description: 'The access token does not match its connection.' };
  }
  // The token's scope can only narrow what the connection was granted.
  const scopes = token.scopes.filter((s) => connection.scopes.includes(s));
  return {
    ok: true,
    raw,
    token,
    principal: {
      userId: connection.userId,
      organizationId: connection.organizationId,
      connectionId: connection.id,
      grantId: connection.grantId,
      clientId: connection.clientId,
      scopes,
    },
  };
}
