import { parseEnv, serviceEnvSchema } from '@frameport/http-kit';

/** Parsed once at boot from the environment; nothing below this file reads process.env. */
export function loadApiConfig(env: Record<string, string | undefined>) {
  const s = parseEnv(serviceEnvSchema, env);
  return {
    host: s.HOST,
    port: s.API_PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.FRAMEPORT_DATA_DIR,
    publicUrl: s.API_PUBLIC_URL,
    urls: { auth: s.AUTH_PUBLIC_URL, mcp: s.MCP_PUBLIC_URL, api: s.API_PUBLIC_URL },
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
