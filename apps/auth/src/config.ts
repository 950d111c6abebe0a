import { parseEnv, serviceEnvSchema } from '@frameport/http-kit';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A JWKS with the private ES256 signing keys; the first key signs, the rest stay published. */
const signingKeys = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as { keys?: unknown };
      const keys = z
        .array(z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), d: z.string(), x: z.string(), y: z.string(), kid: z.string().optional() }).passthrough())
        .min(1)
        .parse(parsed.keys);
      return keys as Record<string, unknown>[];
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JWKS JSON with at least one private EC P-256 key' });
      return z.NEVER;
    }
  });

const authEnvSchema = z.object({
  /** Private ES256 JWKS for access tokens; unset: generated on first start and kept in the database. */
  AUTH_SIGNING_KEYS: signingKeys,
  /** Comma-separated cookie-signing secrets (first signs); unset: generated and kept like the keys. */
  AUTH_COOKIE_KEYS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined))
    .pipe(z.array(z.string().min(32, 'each cookie key needs at least 32 characters')).min(1).optional()),
  /** Trust X-Forwarded-Proto/-For from a TLS-offloading proxy in front of the auth server. */
  AUTH_TRUST_PROXY: bool,
  /** Dynamic Client Registration requests allowed per client IP per minute. */
  AUTH_REGISTRATION_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  /**
   * Development only, empty by default: https origins (`https://localhost:8443`) whose Client ID
   * Metadata Documents may be fetched although they are on this machine or a private network.
   */
  AUTH_DEV_CIMD_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) =>
      (v ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((origin) => {
        const url = URL.parse(origin);
        if (url?.protocol !== 'https:' || url.origin !== origin) ctx.addIssue({ code: 'custom', message: `${origin} is not an https origin (https://host[:port])` });
        return origin;
      }),
    ),
  /** Log-in attempts allowed per client IP per minute (failed attempts per account are capped separately). */
  AUTH_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
});

/** Parsed once at boot from the environment; nothing below this file reads process.env. */
export function loadAuthConfig(env: Record<string, string | undefined>) {
  const s = parseEnv(serviceEnvSchema, env);
  const a = parseEnv(authEnvSchema, env);
  return {
    host: s.HOST,
    port: s.AUTH_PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.FRAMEPORT_DATA_DIR,
    publicUrl: s.AUTH_PUBLIC_URL,
    urls: { auth: s.AUTH_PUBLIC_URL, mcp: s.MCP_PUBLIC_URL, api: s.API_PUBLIC_URL },
    /** The one resource server (RFC 8707): the MCP endpoint exactly as users configure it. */
    mcpResource: `${s.MCP_PUBLIC_URL}/mcp`,
    signingKeys: a.AUTH_SIGNING_KEYS,
    cookieKeys: a.AUTH_COOKIE_KEYS,
    trustProxy: a.AUTH_TRUST_PROXY,
    registrationRateLimit: a.AUTH_REGISTRATION_RATE_LIMIT,
    devMetadataOrigins: a.AUTH_DEV_CIMD_ALLOWED_ORIGINS,
    loginRateLimit: a.AUTH_LOGIN_RATE_LIMIT,
  };
}

export type AuthConfig = ReturnType<typeof loadAuthConfig>;
