import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Name of the plan whose limits apply (plans are defined in config). */
  plan: text('plan').notNull().default('default'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
