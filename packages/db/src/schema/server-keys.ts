import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns.ts';
import { environmentOwned } from './tenant.ts';
import { users } from './users.ts';

/** Secret keys (`sk_…`): shown once at creation, stored only as a SHA-256 hash. */
export const serverKeys = pgTable(
  'server_keys',
  {
    id: text('id').primaryKey(),
    ...environmentOwned(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** The first characters, so the dashboard can tell keys apart. */
    keyPrefix: text('key_prefix').notNull(),
    createdByUserId: text('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('server_keys_env_idx').on(t.environmentId)],
);
