import { z } from 'zod';
import { PlatformError } from '../errors.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.ts';

export const emailSchema = z.string().trim().pipe(z.email({ error: 'Enter a valid email address, like name@example.com.' }));

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `Use a password of at least ${MIN_PASSWORD_LENGTH} characters.` })
  .max(MAX_PASSWORD_LENGTH, { error: `Use a password of at most ${MAX_PASSWORD_LENGTH} characters.` });

/** Parse or throw an `invalid_input` PlatformError naming the first offending field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw new PlatformError('invalid_input', issue?.message ?? 'The input is invalid.', { field });
}
