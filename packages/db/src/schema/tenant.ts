import { text } from 'drizzle-orm/pg-core';
import { environments } from './environments.ts';
import { organizations } from './organizations.ts';

/**
 * The owner columns of everything that lives in an Environment. Both ids are stored, so every
 * query can filter on the caller's organization as well as the Environment; either going away
 * takes the row with it.
 */
export const environmentOwned = () => ({
  organizationId: text('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  environmentId: text('environment_id')
    .notNull()
    .references(() => environments.id, { onDelete: 'cascade' }),
});
