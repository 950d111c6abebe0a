import { randomBytes } from 'node:crypto';
import { parseEnv, serviceEnvSchema } from '@frameport/http-kit';
import { loadPlatformConfig } from '@frameport/platform';
import { z } from 'zod';

const list = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined));

const mcpEnvSchema = z.object({
  /** The authorization server's JWKS; defaults to oidc-provider's endpoint under the issuer. */
  MCP_JWKS_URL: z.string().url().optional(),
  /** Expected `iss` of access tokens; defaults to AUTH_PUBLIC_URL (the issuer is path-free, INTEROP). */
  MCP_TOKEN_ISSUER: z.string().url().optional(),
  /**
   * HMAC key sealing the multi-round-trip requestState. Every instance must share it, since the
   * retry of a 2026-07-28 request may reach another instance. Generated per process when unset
   * (the embedded single-process default).
   */
  MCP_REQUEST_STATE_SECRET: z.string().min(32).optional(),
  /** Prefix of 2025-era session ids, so a load balancer can route a session back to its instance. */
  MCP_INSTANCE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .optional(),
  /** Host names (no port) accepted in the Host header: DNS-rebinding protection. */
  MCP_ALLOWED_HOSTS: list,
  /** Browser origins allowed to call /mcp (CORS and Origin validation). */
  MCP_ALLOWED_ORIGINS: list,
  MCP_SESSION_IDLE_SECONDS: z.coerce.number().int().min(1).default(1800),
  MCP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
});

/** Parsed once at boot from the environment; nothing below this file reads process.env. */
export function loadMcpConfig(env: Record<string, string | undefined>) {
  const s = parseEnv(serviceEnvSchema, env);
  const m = parseEnv(mcpEnvSchema, env);
  const mcpOrigin = new URL(s.MCP_PUBLIC_URL).origin;
  const authOrigin = new URL(s.AUTH_PUBLIC_URL).origin;
  return {
    host: s.HOST,
    port: s.MCP_PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.FRAMEPORT_DATA_DIR,
    publicUrl: s.MCP_PUBLIC_URL,
    urls: { auth: s.AUTH_PUBLIC_URL, mcp: s.MCP_PUBLIC_URL, api: s.API_PUBLIC_URL, dashboard: `${s.AUTH_PUBLIC_URL}/dashboard` },
    /** The canonical resource identifier: the URL users configure, and the only accepted `aud`. */
    resourceUrl: `${s.MCP_PUBLIC_URL}/mcp`,
    token: {
      issuer: m.MCP_TOKEN_ISSUER ?? s.AUTH_PUBLIC_URL,
      jwksUrl: m.MCP_JWKS_URL ?? `${s.AUTH_PUBLIC_URL}/oauth/jwks`,
    },
    requestStateSecret: m.MCP_REQUEST_STATE_SECRET ?? randomBytes(32).toString('base64url'),
    instanceId: m.MCP_INSTANCE_ID ?? randomBytes(4).toString('hex'),
    allowedHosts: m.MCP_ALLOWED_HOSTS ?? [...new Set([new URL(mcpOrigin).hostname, 'localhost', '127.0.0.1', '[::1]'])],
    allowedOrigins: m.MCP_ALLOWED_ORIGINS ?? [...new Set([mcpOrigin, authOrigin])],
    sessionIdleMs: m.MCP_SESSION_IDLE_SECONDS * 1000,
    bodyLimitBytes: m.MCP_BODY_LIMIT_BYTES,
    /**
     * The image platform, from the same variables apps/api reads (docs/platform.md): the same
     * storage, FRAMEPORT_SIGNING_SECRET (or the data directory's key file) so apps/api accepts the
     * upload URLs the tools hand out, and API_PUBLIC_URL as the base of every CDN/upload/download URL.
     */
    platform: loadPlatformConfig(env, { dataDir: s.FRAMEPORT_DATA_DIR, apiPublicUrl: s.API_PUBLIC_URL }),
  };
}

export type McpConfig = ReturnType<typeof loadMcpConfig>;
