import { parseEnv, serviceEnvSchema } from '@frameport/http-kit';
import { loadPlatformConfig } from '@frameport/platform';
import { z } from 'zod';

const apiEnvSchema = z.object({
  /** `off` runs no background work in this instance (image recovery, download jobs). */
  API_WORKER: z.enum(['on', 'off']).default('on'),
});

/**
 * Parsed once at boot; nothing below this file reads process.env. The image platform's own
 * variables (storage, signing, plan, fetch allow-list) are parsed by `loadPlatformConfig`, so the
 * MCP app can host the same functions from the same variables.
 */
export function loadApiConfig(env: Record<string, string | undefined>) {
  const s = parseEnv(serviceEnvSchema, env);
  const a = parseEnv(apiEnvSchema, env);
  return {
    host: s.HOST,
    port: s.API_PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    publicUrl: s.API_PUBLIC_URL,
    urls: { auth: s.AUTH_PUBLIC_URL, mcp: s.MCP_PUBLIC_URL, api: s.API_PUBLIC_URL },
    ...loadPlatformConfig(env, { dataDir: s.FRAMEPORT_DATA_DIR, apiPublicUrl: s.API_PUBLIC_URL }),
    worker: a.API_WORKER === 'on',
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
