import { BlockList, isIP } from 'node:net';
import type { Database } from '@frameport/db';
import { getUser } from '@frameport/platform';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { renderErrorPage } from '../pages/error-page.ts';
import { adapterFor } from './adapter.ts';
import { applyClientPolicy, ClientPolicyError } from './client-policy.ts';
import { RESOURCE_SCOPES, SUPPORTED_SCOPES } from './scopes.ts';
import type { AuthSecrets } from './secrets.ts';

/** Claim carrying the grant id in every access token; the resource server looks the connection up by it. */
export const GRANT_ID_CLAIM = 'gid';
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
const DAY = 86_400;

/** oidc-provider endpoints, all under /oauth/ (discovery stays at the root well-known paths). */
export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
  registration: '/oauth/register',
  revocation: '/oauth/revoke',
  userinfo: '/oauth/userinfo',
  end_session: '/oauth/logout',
  introspection: '/oauth/introspect',
  pushed_authorization_request: '/oauth/par',
} as const;

export interface ProviderOptions {
  issuer: string;
  /** The canonical MCP resource URL (RFC 8707), the one resource server. */
  resource: string;
  db: Database;
  secrets: AuthSecrets;
  /**
   * Fetch used for Client ID Metadata Documents. The provider passes an SSRF-guarding dispatcher,
   * a 2.5 s timeout and `redirect: manual`; tests substitute one that serves documents locally.
   */
  fetch?: typeof fetch;
  /** Only for tests: lets CIMD URLs on hosts that resolve to private addresses through `allowFetch`. */
  allowPrivateMetadataHosts?: boolean;
  /**
   * Development only (AUTH_DEV_CIMD_ALLOWED_ORIGINS, empty by default): https origins on this
   * machine or a private network whose metadata documents may be fetched. TLS is still verified.
   */
  devMetadataOrigins?: readonly string[];
}

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['::ffff:0:0', 96],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

/**
 * CIMD fetch policy before any network I/O: https only (the provider also insists), and no host
 * that names this machine or a private network. Names that resolve to such addresses are stopped
 * by the provider's dispatcher at connect time.
 */
export function metadataUrlAllowed(clientId: string): boolean {
  const url = URL.parse(clientId);
  if (!url || url.protocol !== 'https:' || url.username || url.password) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return false;
  const family = isIP(host);
  if (family === 4) return !privateRanges.check(host, 'ipv4');
  if (family === 6) return !privateRanges.check(host, 'ipv6');
  return true;
}

/** Client ID Metadata Documents are small (the provider's own limit is 5 KiB). */
const METADATA_BODY_LIMIT = 5120;

/**
 * Wraps the fetch the provider uses for Client ID Metadata Documents so each document goes through
 * the client policy as it arrives: Claude Code's document lists port-less loopback redirects and no
 * `application_type`, and only as `native` does any loopback port match (RFC 8252 §7.3).
 */
export function normalizingMetadataFetch(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.status !== 200) return response;
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > METADATA_BODY_LIMIT) throw new Error('client metadata document too large');
    const text = await response.text();
    if (Buffer.byteLength(text) > METADATA_BODY_LIMIT) throw new Error('client metadata document too large');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return new Response(text, { status: 200, headers: response.headers });
    }
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
      // A metadata document cannot carry a shared secret (draft §4.1), so a document that names no
      // method means a public client, not RFC 7591's client_secret_basic default.
      const record = doc as Record<string, unknown>;
      if (record.token_endpoint_auth_method === undefined) record.token_endpoint_auth_method = 'none';
      try {
        applyClientPolicy(doc as never, (doc as Record<string, unknown>).application_type !== undefined);
      } catch (error) {
        if (error instanceof ClientPolicyError) throw new errors.InvalidClientMetadata(error.message);
        throw error;
      }
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(JSON.stringify(doc), { status: 200, headers });
  };
}

export function createProvider(options: ProviderOptions): Provider {
  const { resource, db } = options;
  const devOrigins = new Set(options.devMetadataOrigins ?? []);
  const devOrigin = (clientId: string) => devOrigins.size > 0 && devOrigins.has(URL.parse(clientId)?.origin ?? '');
  const resourceServer = {
    scope: RESOURCE_SCOPES.join(' '),
    audience: resource,
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'ES256' as const } },
  };

  const configuration: Configuration = {
    adapter: adapterFor(db),
    jwks: { keys: options.secrets.signingKeys as never },
    cookies: {
      keys: options.secrets.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: OAUTH_ROUTES,
    scopes: [...SUPPORTED_SCOPES],
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'ES256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: true },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      resourceIndicators: {
        enabled: true,
        // No `resource` at all (or at /token): the one resource server (INTEROP "Authorize and token").
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget('unknown resource indicator');
          return resourceServer;
        },
      },
      clientIdMetadataDocument: {
        enabled: true,
        ack: 'draft-02',
        allowFetch: async (_ctx: unknown, clientId: string) =>
          options.allowPrivateMetadataHosts === true || devOrigin(clientId) || metadataUrlAllowed(clientId),
      } as never,
    },
    fetch: normalizingMetadataFetch(async (url, init) => {
      // The provider's dispatcher refuses special-use addresses at connect time; an allow-listed
      // development origin is such an address by definition, so it goes without that dispatcher.
      if (devOrigin(String(url))) {
        const { dispatcher: _special, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
        return globalThis.fetch(url, rest);
      }
      return (options.fetch ?? globalThis.fetch)(url, init);
    }) as never,
    extraClientMetadata: {
      properties: ['software_id', 'software_version'],
      validator(ctx, key, _value, metadata) {
        if (key !== 'software_id') return;
        // Defaults are already merged here, so "absent" is read from the registration body;
        // metadata documents are normalized as they are fetched, stored clients already were.
        const registering = ctx?.oidc?.route === 'registration';
        const given = registering ? (ctx.oidc.body as Record<string, unknown> | undefined)?.application_type !== undefined : true;
        try {
          applyClientPolicy(metadata as never, given);
        } catch (error) {
          if (error instanceof ClientPolicyError) {
            throw error.kind === 'redirect_uri' ? new errors.InvalidRedirectUri(error.message) : new errors.InvalidClientMetadata(error.message);
          }
          throw error;
        }
      },
    },
    extraTokenClaims: async (_ctx, token) => ('grantId' in token && token.grantId ? { [GRANT_ID_CLAIM]: token.grantId } : undefined),
    // Codex asks for offline_access without prompt=consent, VS Code and Cursor not at all: a client
    // allowed the refresh grant always gets a refresh token (INTEROP "Authorize and token").
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Every authorization is its own grant and connection: never reuse one from the session.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, id) => {
      const user = await getUser(db, id);
      if (!user) return undefined;
      return { accountId: user.id, claims: async () => ({ sub: user.id }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(out as { error: string; error_description?: string });
    },
    // Browser-based clients (MCP Inspector, claude.ai) call the token and revocation endpoints
    // cross-origin; public clients hold no secret, so any origin may call for them.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === 'none' || (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * DAY,
      RefreshToken: 30 * DAY,
      Grant: 365 * DAY,
    },
  };

  const provider = new Provider(options.issuer, configuration);
  return provider;
}

export type { KoaContextWithOIDC };
