import { index, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns.ts';
import { environments } from './environments.ts';
import { organizations } from './organizations.ts';
import { users } from './users.ts';

/** How the OAuth client identified itself: RFC 7591 registration or a Client ID Metadata Document URL. */
export const clientKind = pgEnum('client_kind', ['dcr', 'cimd']);

/** One row per OAuth grant: the Authorized Connections page is this table. */
export const connections = pgTable(
  'connections',
  {
    id: text('id').primaryKey(),
    grantId: text('grant_id').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    clientId: text('client_id').notNull(),
    /** Snapshot at consent time: the client's registration may be purged later. */
    clientName: text('client_name').notNull(),
    clientKind: clientKind('client_kind').notNull(),
    /** Null until the user or the agent picks one ("choose when first needed"). */
    environmentId: text('environment_id').references(() => environments.id, { onDelete: 'set null' }),
    scopes: text('scopes').array().notNull(),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [index('connections_user_idx').on(t.userId), index('connections_org_idx').on(t.organizationId)],
);
