import { sql } from 'drizzle-orm';
import { pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Stored as given after trimming; uniqueness is case-insensitive (index on lower(email)). */
    email: text('email').notNull(),
    name: text('name'),
    /** argon2id PHC string; never the password. */
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`)],
);
