import { z } from 'zod';

/**
 * The environment variables every app reads to reach its database. An app's config.ts composes
 * this into its own schema; nothing here reads process.env.
 */
export const databaseEnvSchema = z.object({
  /** PostgreSQL connection string. Unset: embedded PGlite under FRAMEPORT_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Embedded data (PGlite files, local object storage, generated keys). */
  FRAMEPORT_DATA_DIR: z.string().min(1).default('.frameport'),
});
