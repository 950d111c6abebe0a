import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

/**
 * Secrets the authorization server generates on first start when config provides none: the ES256
 * signing keys (private JWKs) and the cookie-signing keys. Kept in the database so every instance
 * of a deployment signs with the same keys; a deployment that sets them in config never writes here.
 */
export const authSecrets = pgTable('auth_secrets', {
  name: text('name').primaryKey(),
  value: jsonb('value').notNull(),
  createdAt: createdAt(),
});
