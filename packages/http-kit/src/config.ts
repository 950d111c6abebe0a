import { databaseEnvSchema } from '@frameport/db';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = z
  .string()
  .url()
  .transform((u) => u.replace(/\/+$/, ''));

/**
 * What every app knows about the whole deployment: where the database is, and where each
 * service listens and is reached from outside. Public URLs default to localhost and the port.
 */
export const serviceEnvSchema = databaseEnvSchema
  .extend({
    /** Interface to bind. `localhost` listens on both 127.0.0.1 and ::1; use 0.0.0.0 in containers. */
    HOST: z.string().min(1).default('localhost'),
    AUTH_PORT: port(4000),
    MCP_PORT: port(4001),
    API_PORT: port(4002),
    AUTH_PUBLIC_URL: url.optional(),
    MCP_PUBLIC_URL: url.optional(),
    API_PUBLIC_URL: url.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .transform((env) => ({
    ...env,
    AUTH_PUBLIC_URL: env.AUTH_PUBLIC_URL ?? `http://localhost:${env.AUTH_PORT}`,
    MCP_PUBLIC_URL: env.MCP_PUBLIC_URL ?? `http://localhost:${env.MCP_PORT}`,
    API_PUBLIC_URL: env.API_PUBLIC_URL ?? `http://localhost:${env.API_PORT}`,
  }));

export type ServiceEnv = z.output<typeof serviceEnvSchema>;


