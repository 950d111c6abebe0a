import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns.ts';
import { environmentOwned } from './tenant.ts';

/** Publishable keys (`ck_…`): the key is the id, since it is meant to be embedded in front-end code. */
export const clientKeys = pgTable(
  'client_keys',
  {
    id: text('id').primaryKey(),
    ...environmentOwned(),
    name: text('name').notNull(),
    allowedOrigins: text('allowed_origins').array().notNull().default([]),
    maximumUploadBytes: integer('maximum_upload_bytes').notNull(),
    /** The connection or user that created it, for the audit trail. */
    createdBy: text('created_by'),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('client_keys_env_idx').on(t.environmentId)],
);
