import type { z } from 'zod';

/** A configuration value is missing or wrong: the message names the variable; the start stops. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse once at boot; a bad variable stops the start with its name, not a stack trace later. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
