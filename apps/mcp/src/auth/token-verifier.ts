import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * The claim carrying the OAuth grant id. apps/auth adds it through oidc-provider's
 * `extraTokenClaims` (the library does not put the grant id into JWT access tokens by default).
 */
export const GRANT_ID_CLAIM = 'gid';

/** RFC 9068 §2.1 access tokens are signed; Frameport's authorization server signs with ES256 only. */
export const ACCEPTED_ALGORITHMS = ['ES256'];

export interface VerifiedAccessToken {
  subject: string;
  grantId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface TokenVerifierOptions {
  jwksUrl: string;
  issuer: string;
  /** The canonical MCP URL: RFC 8707 audience restriction, so a token minted for another resource is refused. */
  audience: string;
  /** Minimum time between two JWKS fetches triggered by unknown `kid`s (bounds what forged tokens can cost). */
  refetchCooldownMs?: number;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/**
 * Offline verification of RFC 9068 JWT access tokens against the authorization server's JWKS.
 * jose caches the key set and refetches it when a token names an unknown `kid` (key rotation),
 * at most once per cooldown period.
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifiedAccessToken> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: options.refetchCooldownMs ?? 10_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        // RFC 9068 §4: the resource server MUST check typ is at+jwt (jose accepts application/at+jwt too).
        typ: 'at+jwt',
        algorithms: ACCEPTED_ALGORITHMS,
        requiredClaims: ['exp', 'sub', 'client_id', GRANT_ID_CLAIM],
      }));
    } catch (error) {
      throw new InvalidTokenError(describeJoseError(error), { cause: error });
    }
    const grantId = payload[GRANT_ID_CLAIM];
    const clientId = payload.client_id;
    if (typeof grantId !== 'string' || typeof clientId !== 'string' || typeof payload.sub !== 'string') {
      throw new InvalidTokenError('The access token is missing required claims.');
    }
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    return { subject: payload.sub, grantId, clientId, scopes: scope.split(' ').filter(Boolean), expiresAt: payload.exp! };
  };
}

/** A public description: which check failed, never the token or key material. */
function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The access token has expired.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The access token's ${(error as { claim?: string }).claim ?? ''} claim is not valid for this resource.`.replace('  ', ' ');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'The access token is not valid.';
    default:
      return 'The access token could not be verified.';
  }
}
